/**
 * The interchange's task flow, without sockets: client submits → per-type queues → dispatch to managers →
 * results routed back to the submitting client. Manager registration, heartbeats and loss (fail or re-queue
 * in-flight tasks). Every input is a validated message plus `now`; every output goes through an Outbox.
 * The socket shell (interchange.ts) calls `flush()` once per event-loop turn, which dispatches and sends batches.
 */
import type { SchedulerMode } from "../config/schema.ts";
import {
  MSG,
  RAW_TASK_TYPE,
  TASK_ERROR_CODES,
  TASK_ERROR_NAMES,
  type InterchangeToClient,
  type InterchangeToManager,
  type ManagerToInterchange,
  type Register,
  type Results,
  type Started,
  type Submit,
  type WireError,
  type WireResult,
  type WireTask,
} from "../protocol/index.ts";
import type { Logger } from "../util/log.ts";
import { admit, type AdmissionRules } from "./admission.ts";
import { ClientTable } from "./clients.ts";
import { laneOf, laneOutlastsBlocks, planDispatch, type Lane } from "./dispatch.ts";
import { ManagerRegistry, checkRegistration, findExpired, type ManagerEntry } from "./registry.ts";
import { TaskQueues } from "./task-queue.ts";
import { SlotState, TaskStore } from "./task-store.ts";
import { splitForMessages } from "./message-split.ts";

export interface Outbox {
  toClient(routingId: Uint8Array, msg: InterchangeToClient): void;
  toManager(managerId: string, msg: InterchangeToManager): void;
  /** Whether a client is connected right now (a reconnect may hand its routing id to a new connection). */
  clientConnected?(routingId: Uint8Array): boolean;
}

export interface CoreSettings {
  readonly interchangeId: string;
  readonly heartbeatPeriodS: number;
  readonly heartbeatThresholdS: number;
  readonly schedulerMode: SchedulerMode;
  readonly maxPayloadBytes: number;
  readonly retries: number;
  /** Images tasks may name; empty = any. */
  readonly allowedImages: readonly string[];
  /** executor.worker_mode of the blocks this interchange starts: with "no_container", a container task is
   *  refused unless a connected manager says it runs that type (otherwise it would wait forever). */
  readonly workerMode: string;
  /** Walltime of the blocks this interchange starts, seconds; Infinity when they have none (local provider). A
   *  task declaring that long a duration fits no such block: refused unless a connected manager has the time, and
   *  never counted as work for blocks (see outstandingForBlocks). */
  readonly blockWalltimeS: number;
  /** Wall-clock ms since the epoch (Date.now), to place a registration's walltime_end_ms on the core's own
   *  `now` clock (which may be monotonic); tests pass their own. */
  readonly epochNow?: () => number;
}

/** What got dropped or refused, for logs and the `utilization` command. */
export interface CoreCounters {
  submitted: number;
  completed: number;
  failed: number;
  refused: number;
  requeued: number;
  managersLost: number;
  resultsFromLostManagers: number;
  unknownResults: number;
  malformed: number;
  /** Queued tasks dropped because their client went away and did not come back. */
  abandoned: number;
}

/** Queues (task types × declared-duration lanes) the task store can index (a Uint16 per task). */
const MAX_QUEUES = 65_535;

const taskBytes = (t: WireTask): number => t.payload.byteLength;
/** A submit's refused tasks by error code. */
type Refusals = Map<string, { ids: number[]; error: WireError }>;
const resultBytes = (r: WireResult): number => r.value?.byteLength ?? 256;

export class InterchangeCore {
  readonly store = new TaskStore(4096);
  readonly queues = new TaskQueues();
  readonly managers = new ManagerRegistry();
  readonly clients = new ClientTable();
  readonly counters: CoreCounters = {
    submitted: 0, completed: 0, failed: 0, refused: 0, requeued: 0,
    managersLost: 0, resultsFromLostManagers: 0, unknownResults: 0, malformed: 0, abandoned: 0,
  };
  private nextWireId = 1;
  private cursor = 0;
  private lastHeartbeatSent = -Infinity;
  private readonly slotBuf: number[] = [];
  /** Queue key (see dispatch.ts laneOf) → its task type and duration bound; keys are never forgotten (few). */
  private readonly lanes = new Map<string, Lane>();
  /** What admit() checks submits against, made once (a submit message per round trip should not allocate it);
   *  `closedReason` is set by a shutdown (new submits are refused with it), `now` by each submit. */
  private readonly admission: AdmissionRules & { now: number; closedReason: string | null };

  constructor(
    readonly settings: CoreSettings,
    private readonly out: Outbox,
    private readonly log: Logger,
  ) {
    const managers = this.managers;
    this.admission = {
      ...settings, closedReason: null, now: 0,
      canServe: (type) => managers.canServe(type),
      hasTimeFor(lane) { return managers.hasTimeFor(lane, this.now); },
    };
  }

  // ───────────── client channel ─────────────

  onClientHello(routingId: Uint8Array, wantStatus: boolean, protocolVersion: number, fxVersion: string): void {
    const c = this.clients.get(routingId);
    this.clients.setWantStatus(c, wantStatus);
    this.log.info("client connected", { client: c.idx, protocol_version: protocolVersion, fx_version: fxVersion, want_status: wantStatus });
    this.out.toClient(c.routingId, {
      type: MSG.clientWelcome,
      protocol_version: protocolVersion,
      fx_version: fxVersion,
      interchange_id: this.settings.interchangeId,
      max_payload_bytes: this.settings.maxPayloadBytes,
    });
  }

  onSubmit(routingId: Uint8Array, msg: Submit, now: number = Date.now()): void {
    const c = this.clients.get(routingId);
    let refused: Refusals | null = null; // made at the first refusal
    const refuse = (id: number, code: string, message: string) => {
      refused ??= new Map();
      let r = refused.get(code);
      if (!r) refused.set(code, (r = { ids: [], error: { name: TASK_ERROR_NAMES[code as keyof typeof TASK_ERROR_NAMES] ?? "Refused", message, code } }));
      r.ids.push(id);
    };
    this.admission.now = now;
    for (const t of msg.tasks) {
      const no = admit(t, this.admission);
      const key = no ? "" : this.laneKey(t.task_type, t.duration);
      if (no) refuse(t.id, no.code, no.message);
      else if (!this.queues.types.has(key) && this.queues.types.names.length >= MAX_QUEUES) {
        refuse(t.id, TASK_ERROR_CODES.badTask, `too many distinct task types and declared durations (${MAX_QUEUES} queues); use fewer`);
      } else {
        const typeIdx = this.queues.types.indexOf(key);
        const slot = this.store.add({
          client: c.idx,
          clientTaskId: t.id,
          typeIdx,
          payload: t.payload,
          duration: t.duration ?? NaN,
          retries: t.retries ?? this.settings.retries,
        });
        this.queues.push(typeIdx, slot);
        this.counters.submitted++;
        if (c.wantStatus) this.clients.addStatus(c.idx, t.id, "pending", "");
      }
    }
    if (refused === null) return;
    for (const r of (refused as Refusals).values()) {
      this.counters.refused += r.ids.length;
      this.out.toClient(c.routingId, { type: MSG.refused, ids: r.ids, error: r.error });
    }
  }

  /** The queue a task goes to: its type, or its type plus its declared duration (walltime-aware dispatch). */
  private laneKey(taskType: string, duration: number | undefined): string {
    if (duration === undefined) return taskType;
    const { key, lane } = laneOf(taskType, duration);
    if (!this.lanes.has(key)) this.lanes.set(key, lane);
    return key;
  }

  /** A client's connection closed; if it stays away for heartbeat_threshold its queued tasks are dropped. */
  onClientGone(routingId: Uint8Array, now: number): void {
    const c = this.clients.find(routingId);
    if (c && c.goneSince === null) c.goneSince = now;
  }

  onClientBack(routingId: Uint8Array): void {
    const c = this.clients.find(routingId);
    if (c) c.goneSince = null;
  }

  /** Drops the queued tasks of a client that went away (nobody would read their results); running ones finish. */
  private abandon(clientIdx: number): number {
    const s = this.store;
    let n = 0;
    s.forEachLive((slot) => {
      if (s.state[slot] !== SlotState.queued || s.client[slot] !== clientIdx) return;
      s.state[slot] = SlotState.cancelled;
      this.queues.forget(s.typeIdx[slot]!);
      s.dropPayload(slot);
      n++;
    });
    this.counters.abandoned += n;
    return n;
  }

  /** Cancels queued tasks of this client (tasks already dispatched run to completion). */
  onCancel(routingId: Uint8Array, ids: readonly number[]): void {
    const c = this.clients.get(routingId);
    const want = new Set(ids);
    const s = this.store;
    s.forEachLive((slot) => {
      if (s.state[slot] !== SlotState.queued || s.client[slot] !== c.idx || !want.has(s.clientTaskId[slot]!)) return;
      this.cancelQueued(slot, { name: TASK_ERROR_NAMES.E_CANCELLED, message: "task cancelled before dispatch", code: TASK_ERROR_CODES.cancelled });
    });
  }

  // ───────────── task channel ─────────────

  onManagerMessage(managerId: string, msg: ManagerToInterchange, now: number): void {
    if (msg.type === MSG.register) {
      if (msg.manager_id !== managerId) {
        const message = `manager_id ${JSON.stringify(msg.manager_id)} must equal the socket's routing id ${JSON.stringify(managerId)}`;
        this.log.error("manager registration refused", { manager: managerId, reason: message });
        this.out.toManager(managerId, { type: MSG.badRegistration, code: "E_BAD_REGISTRATION", message });
        return;
      }
      return this.onRegister(msg, now);
    }
    const m = this.managers.get(managerId);
    if (!m) {
      const lost = this.managers.wasLost(managerId);
      this.log.warn(`message from ${lost ? "a manager declared lost" : "an unregistered manager"}; telling it to stop`, { manager: managerId, type: msg.type });
      this.out.toManager(managerId, { type: MSG.shutdown, reason: lost ? "declared lost by the interchange (missed heartbeats)" : "not registered" });
      return;
    }
    m.lastSeen = now;
    if (msg.type === MSG.request) {
      m.capacity = msg.capacity;
      m.perType = msg.per_type ? { ...msg.per_type } : undefined;
    } else {
      m.running = msg.running;
      m.idleWorkers = msg.idle_workers;
    }
  }

  private onRegister(reg: Register, now: number): void {
    const bad = checkRegistration(reg);
    if (bad) {
      this.log.error("manager registration refused", { manager: reg.manager_id, host: reg.hostname, code: bad.code, reason: bad.message });
      this.out.toManager(reg.manager_id, { type: MSG.badRegistration, code: bad.code, message: bad.message });
      return;
    }
    const old = this.managers.get(reg.manager_id);
    if (old) this.loseManager(old, "it registered again (restarted)");
    const m = this.managers.add(reg, now);
    if (reg.walltime_end_ms !== undefined && reg.walltime_end_ms !== null) {
      // remaining time as of now (wall clock), on the core's clock: dispatch compares it with its own `now`
      m.walltimeEndAt = now + (reg.walltime_end_ms - (this.settings.epochNow ?? Date.now)());
    }
    this.log.info("manager registered", {
      manager: m.id, block: reg.block_id, host: reg.hostname, workers: reg.worker_count, types: reg.worker_types.join(","),
    });
    this.out.toManager(m.id, {
      type: MSG.registered,
      interchange_id: this.settings.interchangeId,
      heartbeat_period: this.settings.heartbeatPeriodS,
      heartbeat_threshold: this.settings.heartbeatThresholdS,
    });
  }

  // ───────────── result channel ─────────────

  onResults(managerId: string, msg: Results, now: number): void {
    const m = this.managers.get(managerId);
    if (!m) {
      if (this.managers.wasLost(managerId)) {
        this.counters.resultsFromLostManagers += msg.results.length;
        this.log.warn("dropped results from a manager declared lost; telling it to stop", { manager: managerId, results: msg.results.length, total_dropped: this.counters.resultsFromLostManagers });
        this.out.toManager(managerId, { type: MSG.shutdown, reason: "declared lost by the interchange (missed heartbeats)" });
      } else {
        this.counters.unknownResults += msg.results.length;
        this.log.warn("dropped results from an unregistered manager", { manager: managerId, results: msg.results.length });
      }
      return;
    }
    m.lastSeen = now;
    for (const r of msg.results) {
      const slot = m.inflight.get(r.id);
      if (slot === undefined) {
        this.counters.unknownResults++;
        continue;
      }
      m.inflight.delete(r.id);
      if (r.error && r.error.code === TASK_ERROR_CODES.workerLost && this.store.retriesLeft[slot]! > 0) {
        this.requeue(slot);
        continue;
      }
      this.deliver(slot, r, m);
    }
  }

  /** A manager handed these tasks (of a `want_status` batch) to workers: `running` for clients that asked. */
  onStarted(managerId: string, msg: Started, now: number): void {
    const m = this.managers.get(managerId);
    if (!m) return;
    m.lastSeen = now;
    const s = this.store;
    for (const id of msg.ids) {
      const slot = m.inflight.get(id);
      if (slot !== undefined) this.clients.addStatus(s.client[slot]!, s.clientTaskId[slot]!, "running", m.id);
    }
  }

  private deliver(slot: number, r: WireResult, m: ManagerEntry): void {
    const s = this.store;
    const client = s.client[slot]!;
    const id = s.clientTaskId[slot]!;
    const host = r.host ?? m.reg.hostname;
    // only defined fields go on the wire (msgpack has no `undefined`; other-language clients would see an ext)
    const out: { -readonly [K in keyof WireResult]: WireResult[K] } = r.error ? { id, error: r.error, host } : { id, value: r.value, host };
    if (r.worker_id !== undefined) out.worker_id = r.worker_id;
    if (r.t_start !== undefined) out.t_start = r.t_start;
    if (r.t_end !== undefined) out.t_end = r.t_end;
    this.clients.addResult(client, out);
    this.clients.addStatus(client, id, r.error ? "failed" : "done", m.id);
    if (r.error) this.counters.failed++;
    else this.counters.completed++;
    s.release(slot);
  }

  private failSlot(slot: number, error: WireError): void {
    const s = this.store;
    const client = s.client[slot]!;
    const id = s.clientTaskId[slot]!;
    this.clients.addResult(client, { id, error });
    this.clients.addStatus(client, id, "failed", error.manager_id ?? "");
    this.counters.failed++;
    s.release(slot);
  }

  /** A queued task fails in place: it stays in its ring (lazy deletion) and is released when popped. */
  private cancelQueued(slot: number, error: WireError): void {
    const s = this.store;
    s.state[slot] = SlotState.cancelled;
    this.queues.forget(s.typeIdx[slot]!);
    s.dropPayload(slot);
    const client = s.client[slot]!;
    const id = s.clientTaskId[slot]!;
    this.clients.addResult(client, { id, error });
    this.clients.addStatus(client, id, "failed", "");
    this.counters.failed++;
  }

  private requeue(slot: number): void {
    const s = this.store;
    s.retriesLeft[slot]!--;
    s.state[slot] = SlotState.queued;
    s.manager[slot] = -1;
    this.queues.pushFront(s.typeIdx[slot]!, slot);
    this.counters.requeued++;
    this.clients.addStatus(s.client[slot]!, s.clientTaskId[slot]!, "pending", "");
  }

  // ───────────── loss, heartbeats, holds ─────────────

  /** A manager is gone: its in-flight tasks are re-queued (retries left) or fail with ManagerLost. */
  loseManager(m: ManagerEntry, why: string): void {
    this.managers.remove(m.id, true);
    this.counters.managersLost++;
    let failed = 0;
    const again: number[] = [];
    for (const slot of m.inflight.values()) {
      if (this.store.retriesLeft[slot]! > 0) again.push(slot);
      else {
        this.failSlot(slot, {
          name: TASK_ERROR_NAMES.E_MANAGER_LOST,
          message: `manager ${m.id} on ${m.reg.hostname} was lost: ${why}`,
          code: TASK_ERROR_CODES.managerLost,
          host: m.reg.hostname,
          manager_id: m.id,
        });
        failed++;
      }
    }
    for (let i = again.length - 1; i >= 0; i--) this.requeue(again[i]!); // front of the queue, in original order
    m.inflight.clear();
    this.log.warn("manager lost", { manager: m.id, host: m.reg.hostname, block: m.reg.block_id, why, failed, requeued: again.length });
  }

  /** Housekeeping at `now`: expire silent managers, drop the queue of vanished clients, send heartbeats when due. */
  tick(now: number): void {
    const thresholdMs = this.settings.heartbeatThresholdS * 1000;
    for (const c of this.clients.goneLongerThan(now, thresholdMs)) {
      c.goneSince = null; // once
      if (this.out.clientConnected?.(c.routingId)) continue;
      const n = this.abandon(c.idx);
      if (n > 0) this.log.warn("client gone for longer than heartbeat_threshold: its queued tasks were dropped", { client: c.idx, dropped: n });
    }
    for (const id of findExpired(this.managers.all(), now, thresholdMs)) {
      const m = this.managers.get(id)!;
      this.loseManager(m, `no message for more than heartbeat_threshold (${this.settings.heartbeatThresholdS}s)`);
    }
    if (now - this.lastHeartbeatSent >= this.settings.heartbeatPeriodS * 1000) {
      this.lastHeartbeatSent = now;
      for (const m of this.managers.all()) this.out.toManager(m.id, { type: MSG.heartbeat });
    }
  }

  holdManager(id: string): boolean {
    const m = this.managers.get(id);
    if (!m) return false;
    m.held = true;
    this.log.info("manager held: no new tasks", { manager: id, in_flight: m.inflight.size });
    return true;
  }

  /** Stop accepting work (shutdown). With `cancel`, every held task fails with E_SHUTDOWN now. */
  close(reason: string, cancel: boolean): void {
    this.admission.closedReason = reason;
    if (!cancel) return;
    const err: WireError = { name: TASK_ERROR_NAMES.E_SHUTDOWN, message: `interchange shut down (${reason})`, code: TASK_ERROR_CODES.shutdown };
    for (const m of this.managers.all()) m.inflight.clear();
    this.store.forEachLive((slot) => {
      const st = this.store.state[slot];
      if (st === SlotState.queued) this.cancelQueued(slot, err);
      else if (st === SlotState.dispatched) this.failSlot(slot, err);
    });
  }

  /** Queued tasks per task type (lanes of one type added up). */
  pendingByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, n] of this.queues.counts()) {
      const t = this.lanes.get(key)?.taskType ?? key;
      out.set(t, (out.get(t) ?? 0) + n);
    }
    return out;
  }

  /** Tasks queued or in flight (the drain condition). */
  get outstanding(): number {
    let inflight = 0;
    for (const m of this.managers.all()) inflight += m.inflight.size;
    return this.queues.size + inflight;
  }

  /**
   * The outstanding work new blocks could take, what scaling sizes blocks by: queued tasks whose declared
   * duration fits no block (accepted because a manager with the time was connected then) are left out, so they
   * never keep a block running, idle, for its whole walltime and then start its replacement.
   */
  get outstandingForBlocks(): number {
    let n = this.outstanding;
    if (!Number.isFinite(this.settings.blockWalltimeS)) return n;
    for (const [key, k] of this.queues.counts()) {
      const lane = this.lanes.get(key);
      if (lane !== undefined && laneOutlastsBlocks(lane, this.settings.blockWalltimeS)) n -= k;
    }
    return n;
  }

  // ───────────── end of turn ─────────────

  /** Dispatch what fits, then send every client its batched results and status. */
  flush(now: number = Date.now()): void {
    if (this.queues.size > 0 && this.managers.size > 0) this.dispatch(now);
    this.clients.drain((c, results, status) => {
      for (const batch of splitForMessages(results, resultBytes)) this.out.toClient(c.routingId, { type: MSG.results, results: batch });
      if (status.length > 0) this.out.toClient(c.routingId, { type: MSG.status, updates: status });
    });
  }

  private dispatch(now: number): void {
    const plan = planDispatch({
      managers: this.managers.dispatchView(),
      pending: this.queues.counts(),
      lanes: this.lanes,
      mode: this.settings.schedulerMode,
      cursor: this.cursor,
      now,
    });
    this.cursor = plan.cursor;
    const s = this.store;
    const isLive = (slot: number) => s.state[slot] === SlotState.queued;
    const onDead = (slot: number) => s.release(slot);
    // Start notices cost a message per hand-off: asked for only while some client reads the status stream.
    const wantStatus = this.clients.anyWantStatus();
    for (const a of plan.assignments) {
      const m = this.managers.get(a.managerId)!;
      const typeIdx = this.queues.types.find(a.lane)!;
      const slots = this.slotBuf;
      slots.length = 0;
      this.queues.take(typeIdx, a.count, isLive, onDead, slots);
      const tasks: WireTask[] = new Array(slots.length);
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        const wid = this.nextWireId++;
        s.state[slot] = SlotState.dispatched;
        s.manager[slot] = m.idx;
        m.inflight.set(wid, slot);
        const d = s.duration[slot]!;
        const payload = s.payloadOf(slot);
        tasks[i] = Number.isNaN(d) ? { id: wid, task_type: a.taskType, payload } : { id: wid, task_type: a.taskType, payload, duration: d };
        this.clients.addStatus(s.client[slot]!, s.clientTaskId[slot]!, "dispatched", m.id);
      }
      m.capacity -= slots.length;
      if (m.perType && m.perType[a.taskType] !== undefined) m.perType[a.taskType] = Math.max(0, m.perType[a.taskType]! - slots.length);
      for (const batch of splitForMessages(tasks, taskBytes)) {
        this.out.toManager(m.id, wantStatus ? { type: MSG.tasks, tasks: batch, want_status: true } : { type: MSG.tasks, tasks: batch });
      }
    }
  }
}
