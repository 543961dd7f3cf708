/**
 * The manager's book of workers and of the tasks it holds. Pure state, no I/O: the manager feeds it events
 * (worker started / said hello / returned results / died, tasks arrived) with `now`, and asks it what to do
 * (which tasks go to which worker, which workers to start or stop). Time is passed in, never read.
 *
 * Dispatch: a worker runs one task at a time but may be handed up to `depth` tasks at once, so it never
 * waits a round trip between short tasks. `depth` adapts to observed task durations (short tasks → deep,
 * long tasks → 1) so long tasks are not stuck behind one another on one worker while another idles.
 *
 * Worker loss: tasks handed to a worker that dies are either the one it was running (if it held exactly
 * one, that task is the culprit → WorkerLost) or, when it held several (some may have finished with their
 * results not yet flushed), all of them go back to the front of the queue as *suspects*: a suspect runs
 * alone on a worker holding nothing else, so if that worker dies too, the blame is exact.
 */
import type { WireTask } from "../protocol/messages.ts";
import { Fifo } from "./fifo.ts";
import type { IdleWorker, WorkerPlanInput } from "./worker-plan.ts";

export type WorkerState = "starting" | "ready" | "stopping";

export interface WorkerRecord {
  readonly id: string;
  readonly type: string;
  state: WorkerState;
  pid: number | null;
  /** Tasks handed to it, in the order it runs them; the first one is running. */
  readonly outstanding: WireTask[];
  /** Running a suspect alone: nothing else is handed to it until it finishes. */
  isolated: boolean;
  /** When it last became idle (or was started). */
  idleSince: number;
  /** When the current outstanding batch started being worked on (for the duration estimate). */
  busySince: number;
  readonly startedAt: number;
}

export interface WorkerMapOptions {
  /** Most workers this manager may run at once (all types). */
  readonly maxWorkers: number;
  /** Deepest per-worker hand-off for very short tasks. */
  readonly maxDepth?: number;
  /** Aim to hand a worker this much work (ms) at once: about a round trip, so it never waits for more. */
  readonly targetBatchMs?: number;
  readonly initialDepth?: number;
  /** Payload bytes past which a hand-off gets no more tasks (it always gets at least one). */
  readonly maxHandoffBytes?: number;
}

export interface Assignment {
  readonly worker: WorkerRecord;
  readonly tasks: WireTask[];
}

/** Shared empty answers of complete() and assign(), which run every turn. */
const NO_IDS: readonly number[] = Object.freeze([]);
const NO_ASSIGNMENTS: readonly Assignment[] = Object.freeze([]);

export interface LossOutcome {
  /** The task the worker was surely running when it died (fails with WorkerLost). */
  readonly culprit: WireTask | null;
  /** Tasks put back (as suspects) to run again elsewhere. */
  readonly requeued: number;
}

/** Default cap on the payload bytes of one hand-off to a worker (a worker's frame limit leaves room for it). */
export const HANDOFF_MAX_BYTES = 8 * 1024 * 1024;

interface TypeQueue {
  readonly tasks: Fifo<WireTask>;
  readonly suspects: Fifo<WireTask>;
}

export class WorkerMap {
  readonly workers = new Map<string, WorkerRecord>();
  private readonly queues = new Map<string, TypeQueue>();
  private readonly maxDepth: number;
  private readonly targetBatchMs: number;
  private readonly maxHandoffBytes: number;
  /** Exponential moving average of task duration, ms (per manager: workers of a block run alike tasks). */
  private avgTaskMs: number;
  private queuedCount = 0;
  private outstandingCount = 0;

  constructor(private readonly opts: WorkerMapOptions) {
    this.maxDepth = opts.maxDepth ?? 256;
    this.targetBatchMs = opts.targetBatchMs ?? 2;
    this.maxHandoffBytes = opts.maxHandoffBytes ?? HANDOFF_MAX_BYTES;
    const d0 = Math.min(this.maxDepth, Math.max(1, opts.initialDepth ?? 4));
    this.avgTaskMs = this.targetBatchMs / d0;
  }

  // ───────────── counts ─────────────

  /** Tasks waiting in the manager's queues. */
  get queued(): number {
    return this.queuedCount;
  }
  /** Tasks handed to workers and not yet answered. */
  get outstanding(): number {
    return this.outstandingCount;
  }
  get held(): number {
    return this.queuedCount + this.outstandingCount;
  }
  /** How many tasks a worker is handed at once right now. */
  get depth(): number {
    const d = Math.floor(this.targetBatchMs / Math.max(this.avgTaskMs, 1e-6));
    return Math.max(1, Math.min(this.maxDepth, d));
  }
  get workerCount(): number {
    return this.workers.size;
  }
  get maxWorkers(): number {
    return this.opts.maxWorkers;
  }
  /** Workers (any state but stopping) per type. */
  countsByType(): Map<string, number> {
    const m = new Map<string, number>();
    for (const w of this.workers.values()) if (w.state !== "stopping") m.set(w.type, (m.get(w.type) ?? 0) + 1);
    return m;
  }
  /** Queued tasks per type (the container scheduler's input). */
  queuedByType(): Map<string, number> {
    const m = new Map<string, number>();
    for (const [t, q] of this.queues) {
      const n = q.tasks.length + q.suspects.length;
      if (n > 0) m.set(t, n);
    }
    return m;
  }
  /** The worker counts a worker plan needs (see worker-plan.ts). */
  planSnapshot(): Pick<WorkerPlanInput, "counts" | "starting" | "idle" | "outstanding" | "stopping"> {
    const counts = new Map<string, number>();
    const starting = new Map<string, number>();
    const outstanding = new Map<string, number>();
    const idle: IdleWorker[] = [];
    let stopping = 0;
    for (const w of this.workers.values()) {
      if (w.outstanding.length > 0) outstanding.set(w.type, (outstanding.get(w.type) ?? 0) + w.outstanding.length);
      if (w.state === "stopping") {
        stopping++;
        continue;
      }
      counts.set(w.type, (counts.get(w.type) ?? 0) + 1);
      if (w.state === "starting") starting.set(w.type, (starting.get(w.type) ?? 0) + 1);
      else if (w.outstanding.length === 0) idle.push({ id: w.id, type: w.type, idleSince: w.idleSince });
    }
    return { counts, starting, idle, outstanding, stopping };
  }

  idleWorkers(): number {
    let n = 0;
    for (const w of this.workers.values()) if (w.state === "ready" && w.outstanding.length === 0) n++;
    return n;
  }

  // ───────────── workers ─────────────

  addWorker(id: string, type: string, now: number): WorkerRecord {
    const w: WorkerRecord = { id, type, state: "starting", pid: null, outstanding: [], isolated: false, idleSince: now, busySince: now, startedAt: now };
    this.workers.set(id, w);
    return w;
  }

  /** The worker said hello; it can take tasks. Unknown ids (not started by us) return undefined. */
  markReady(id: string, now: number): WorkerRecord | undefined {
    const w = this.workers.get(id);
    if (w === undefined || w.state === "stopping") return undefined;
    w.state = "ready";
    w.idleSince = now;
    return w;
  }

  markStopping(id: string): void {
    const w = this.workers.get(id);
    if (w !== undefined) w.state = "stopping";
  }

  /** The worker's process is gone. Decide the fate of what it held. */
  removeWorker(id: string): LossOutcome {
    const w = this.workers.get(id);
    if (w === undefined) return { culprit: null, requeued: 0 };
    this.workers.delete(id);
    const held = w.outstanding.splice(0);
    this.outstandingCount -= held.length;
    if (held.length === 0) return { culprit: null, requeued: 0 };
    if (held.length === 1) return { culprit: held[0]!, requeued: 0 };
    const q = this.queueFor(w.type);
    q.suspects.unshiftAll(held);
    this.queuedCount += held.length;
    return { culprit: null, requeued: held.length };
  }

  // ───────────── tasks ─────────────

  enqueue(task: WireTask): void {
    this.queueFor(task.task_type).tasks.push(task);
    this.queuedCount++;
  }

  /** Everything queued (not handed out), e.g. to fail it at shutdown. */
  /** Everything queued for one type (e.g. to fail it when its container image cannot start). */
  drainType(type: string): WireTask[] {
    const q = this.queues.get(type);
    if (q === undefined) return [];
    const out = [...q.suspects.drain(), ...q.tasks.drain()];
    this.queuedCount -= out.length;
    return out;
  }

  drainQueued(): WireTask[] {
    const out: WireTask[] = [];
    for (const q of this.queues.values()) out.push(...q.suspects.drain(), ...q.tasks.drain());
    this.queuedCount = 0;
    return out;
  }

  /**
   * A worker answered `n` of its outstanding tasks (it answers in order). Returns the ids it was not
   * expected to answer (unknown ids are reported by the caller, never silently dropped).
   */
  complete(workerId: string, ids: readonly number[], now: number): readonly number[] {
    const w = this.workers.get(workerId);
    if (w === undefined) return [...ids];
    let unexpected: number[] | null = null; // made at the first one (results come every turn)
    let done = 0;
    for (const id of ids) {
      const head = w.outstanding[done];
      if (head !== undefined && head.id === id) done++;
      else {
        const at = w.outstanding.findIndex((t, i) => i >= done && t.id === id);
        if (at < 0) (unexpected ??= []).push(id);
        else {
          w.outstanding.splice(at, 1);
          this.outstandingCount--;
        }
      }
    }
    if (done > 0) {
      if (done === w.outstanding.length) w.outstanding.length = 0; // the usual case: no array of removed ones
      else w.outstanding.splice(0, done);
      this.outstandingCount -= done;
      this.observe((now - w.busySince) / done);
    }
    w.busySince = now;
    if (w.outstanding.length === 0) {
      w.isolated = false;
      w.idleSince = now;
    }
    return unexpected ?? NO_IDS;
  }

  private observe(perTaskMs: number): void {
    // Weighted towards recent behaviour, so a switch from long to short tasks deepens quickly.
    this.avgTaskMs = this.avgTaskMs * 0.7 + Math.max(perTaskMs, 0) * 0.3;
  }

  /** Hand queued tasks to ready workers of the right type, least-loaded first, up to `depth` each. */
  assign(now: number): readonly Assignment[] {
    if (this.queuedCount === 0) return NO_ASSIGNMENTS;
    const out: Assignment[] = [];
    const depth = this.depth;
    for (const [type, q] of this.queues) {
      if (q.tasks.length === 0 && q.suspects.length === 0) continue;
      const ready = this.readyOfType(type);
      if (ready.length === 0) continue;
      this.assignSuspects(q, ready, now, out);
      this.assignTasks(q, ready, depth, now, out);
    }
    return out;
  }

  private readyOfType(type: string): WorkerRecord[] {
    const ws: WorkerRecord[] = [];
    for (const w of this.workers.values()) if (w.state === "ready" && w.type === type && !w.isolated) ws.push(w);
    return ws;
  }

  private assignSuspects(q: TypeQueue, ready: WorkerRecord[], now: number, out: Assignment[]): void {
    for (const w of ready) {
      if (q.suspects.length === 0) return;
      if (w.outstanding.length > 0) continue;
      const t = q.suspects.shift()!;
      w.isolated = true;
      this.give(w, [t], now, out);
    }
  }

  private assignTasks(q: TypeQueue, ready: WorkerRecord[], depth: number, now: number, out: Assignment[]): void {
    // Level the load: each round gives every worker below `depth` one more task, least loaded first.
    const open = ready.filter((w) => !w.isolated && w.outstanding.length < depth);
    if (open.length === 0 || q.tasks.length === 0) return;
    // what each open worker gets, by its place in `open` (an array, not a Map: this runs every turn)
    const batches: ({ tasks: WireTask[]; bytes: number } | undefined)[] = new Array(open.length);
    open.sort((a, b) => a.outstanding.length - b.outstanding.length);
    let progress = true;
    while (progress && q.tasks.length > 0) {
      progress = false;
      for (let k = 0; k < open.length; k++) {
        const w = open[k]!;
        const b = batches[k];
        if (w.outstanding.length + (b?.tasks.length ?? 0) >= depth) continue;
        if (b !== undefined && b.bytes >= this.maxHandoffBytes) continue; // big payloads: smaller hand-offs
        const t = q.tasks.shift();
        if (t === undefined) break;
        if (b === undefined) batches[k] = { tasks: [t], bytes: t.payload.byteLength };
        else {
          b.tasks.push(t);
          b.bytes += t.payload.byteLength;
        }
        progress = true;
      }
    }
    // in `open` order, which is the order they first got a task (every open worker gets one before any gets two)
    for (let k = 0; k < open.length; k++) {
      const b = batches[k];
      if (b !== undefined) this.give(open[k]!, b.tasks, now, out);
    }
  }

  private give(w: WorkerRecord, tasks: WireTask[], now: number, out: Assignment[]): void {
    if (w.outstanding.length === 0) w.busySince = now;
    for (const t of tasks) w.outstanding.push(t);
    this.queuedCount -= tasks.length;
    this.outstandingCount += tasks.length;
    out.push({ worker: w, tasks });
  }

  private queueFor(type: string): TypeQueue {
    let q = this.queues.get(type);
    if (q === undefined) {
      q = { tasks: new Fifo(), suspects: new Fifo() };
      this.queues.set(type, q);
    }
    return q;
  }
}
