/**
 * The managers an interchange knows: registration facts, advertised capacity, in-flight tasks, hold/drain,
 * and heartbeat expiry (a pure function of last-seen times and `now`). Managers declared lost are remembered
 * (bounded) so a late message from one is recognised, dropped and counted.
 */
import type { ManagerInfo, Register } from "../protocol/index.ts";
import { PROTOCOL_VERSION, RAW_TASK_TYPE } from "../protocol/index.ts";
import { laneFits, type DispatchManager, type Lane } from "./dispatch.ts";

export interface ManagerEntry {
  /** Small integer, stored in the task store for in-flight tasks. */
  readonly idx: number;
  readonly id: string;
  readonly reg: Register;
  readonly registeredAt: number;
  lastSeen: number;
  capacity: number;
  perType: Record<string, number> | undefined;
  /** In-flight tasks: interchange wire id → task slot. */
  readonly inflight: Map<number, number>;
  held: boolean;
  draining: boolean;
  /** Its block's walltime end on the interchange's clock (from walltime_end_ms at registration); undefined = unknown. */
  walltimeEndAt: number | undefined;
  /** From its last heartbeat. */
  running: number;
  idleWorkers: number;
}

/** Why a registration is refused, or null when it is fine. */
export function checkRegistration(reg: Register): { code: string; message: string } | null {
  if (reg.protocol_version !== PROTOCOL_VERSION) {
    return {
      code: "E_PROTOCOL_VERSION",
      message: `protocol version mismatch: manager speaks ${reg.protocol_version} (fx ${reg.fx_version}), interchange speaks ${PROTOCOL_VERSION}`,
    };
  }
  if (reg.manager_id.length === 0) return { code: "E_BAD_REGISTRATION", message: "manager_id is empty" };
  if (reg.worker_types.length === 0) return { code: "E_BAD_REGISTRATION", message: "worker_types is empty" };
  return null;
}

/** Managers whose last message is older than the threshold at `now` (ms). */
export function findExpired(
  managers: Iterable<{ readonly id: string; readonly lastSeen: number }>,
  now: number,
  thresholdMs: number,
): string[] {
  const out: string[] = [];
  for (const m of managers) if (now - m.lastSeen > thresholdMs) out.push(m.id);
  return out;
}

const LOST_MEMORY = 10_000;

export class ManagerRegistry {
  private readonly byId = new Map<string, ManagerEntry>();
  private readonly byIdx = new Map<number, ManagerEntry>();
  private readonly lost = new Set<string>();
  private nextIdx = 0;

  get size(): number {
    return this.byId.size;
  }
  get(id: string): ManagerEntry | undefined {
    return this.byId.get(id);
  }
  atIdx(idx: number): ManagerEntry | undefined {
    return this.byIdx.get(idx);
  }
  all(): IterableIterator<ManagerEntry> {
    return this.byId.values();
  }
  /** Whether some connected manager could take tasks of this lane at `now` (dispatch's rule, laneFits). */
  hasTimeFor(lane: Lane, now: number): boolean {
    for (const e of this.byId.values()) if (laneFits({ walltimeEndMs: e.walltimeEndAt }, lane, now)) return true;
    return false;
  }

  /** Whether some connected manager can run tasks of this type. */
  canServe(taskType: string): boolean {
    for (const e of this.byId.values()) {
      const anyType = e.reg.worker_mode !== "no_container" && e.reg.worker_types.every((t) => t === RAW_TASK_TYPE);
      if (anyType || e.reg.worker_types.includes(taskType)) return true;
    }
    return false;
  }

  wasLost(id: string): boolean {
    return this.lost.has(id);
  }

  add(reg: Register, now: number): ManagerEntry {
    const e: ManagerEntry = {
      idx: this.nextIdx++,
      id: reg.manager_id,
      reg,
      registeredAt: now,
      lastSeen: now,
      capacity: 0,
      perType: undefined,
      inflight: new Map(),
      held: false,
      draining: false,
      walltimeEndAt: undefined,
      running: 0,
      idleWorkers: 0,
    };
    this.byId.set(e.id, e);
    this.byIdx.set(e.idx, e);
    this.lost.delete(e.id);
    return e;
  }

  /** Forget a manager; `declaredLost` remembers it so late messages are recognised. */
  remove(id: string, declaredLost: boolean): ManagerEntry | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    this.byId.delete(id);
    this.byIdx.delete(e.idx);
    if (declaredLost) {
      if (this.lost.size >= LOST_MEMORY) this.lost.delete(this.lost.values().next().value!);
      this.lost.add(id);
    }
    return e;
  }

  dispatchView(): DispatchManager[] {
    const out: DispatchManager[] = [];
    for (const e of this.byId.values()) {
      const end = e.walltimeEndAt;
      out.push({
        id: e.id,
        capacity: e.capacity,
        perType: e.perType,
        workerTypes: e.reg.worker_types,
        // A container-mode manager starts workers of any image, unless it was pinned to images (--worker-type).
        anyType: e.reg.worker_mode !== "no_container" && e.reg.worker_types.every((t) => t === RAW_TASK_TYPE),
        outstanding: e.inflight.size,
        workerCount: e.reg.worker_count,
        active: !e.held && !e.draining,
        ...(end !== undefined ? { walltimeEndMs: end } : {}),
      });
    }
    return out;
  }

  info(e: ManagerEntry, now: number): ManagerInfo {
    return {
      manager_id: e.id,
      block_id: e.reg.block_id,
      hostname: e.reg.hostname,
      pid: e.reg.pid,
      worker_count: e.reg.worker_count,
      worker_types: e.reg.worker_types,
      outstanding: e.inflight.size,
      active: !e.held && !e.draining,
      held: e.held,
      last_heartbeat_s_ago: Math.max(0, (now - e.lastSeen) / 1000),
    };
  }
}
