/**
 * The manager core: registration, task intake, dispatch to workers, result batching, capacity requests,
 * worker lifecycle (start on demand, restart on death, idle stop) and heartbeats. It reacts to events fed
 * by the I/O shell and acts only through its ports; time comes from the injected Clock.
 *
 * Hot path (per message, never per task): interchange `tasks` → WorkerMap queues → one `tasks` message per
 * worker; worker `results` → WorkerMap.complete → ResultBatch. Dispatch, capacity requests and the worker
 * plan run once per event-loop turn in `settle()`, whatever number of messages that turn brought; results
 * held in the batch are flushed there too (size bound at once, end of turn at the latest).
 */
import { attachmentCount, decodeInterchangeToManager, decodeResults, decodeWorkerToManager, encode, encodeMessage, headOf } from "../protocol/codec.ts";
import { TASK_ERROR_CODES, TASK_ERROR_NAMES } from "../protocol/errors.ts";
import { MSG, type EncodedMessage, type InterchangeToManager, type Register, type WireError, type WireResult, type WireTask } from "../protocol/messages.ts";
import type { Clock } from "../util/clock.ts";
import { describeError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { heartbeatDue, peerLost, type HeartbeatState } from "./heartbeat.ts";
import type { InterchangePort, WorkerLauncher, WorkerPort } from "./ports.ts";
import { ResultBatch } from "./result-batch.ts";
import { managerCapacity, shouldRequest } from "./capacity.ts";
import { scanValueResults } from "./results-scan.ts";
import { encodeTasks } from "./tasks-encoder.ts";
import { planWorkers, type WorkerPlan, type WorkerPlanInput } from "./worker-plan.ts";
import { walltimeDrainDue, type ManagerWalltime } from "./walltime.ts";
import { WorkerMap } from "./worker-map.ts";

export interface ManagerSettings {
  readonly managerId: string;
  readonly hostname: string;
  readonly registration: Register;
  readonly workerCount: number;
  /** Types this manager can run; tasks of other types fail at once. Empty = any (container modes). */
  readonly workerTypes: readonly string[];
  /** Started at boot (the first worker type). */
  readonly initialType: string;
  readonly prefetch: number;
  readonly heartbeatPeriodS: number;
  readonly heartbeatThresholdS: number;
  readonly workerMaxIdleS: number;
  readonly minWorkers: number;
  readonly resultBatchSize: number;
  readonly resultBatchPeriodMs: number;
  /** Workers run one task each and exit (replaced on demand, not on exit). */
  readonly singleUse: boolean;
  /** Workers dying before their hello this many times in a row: the manager gives up. */
  readonly maxEarlyDeaths: number;
  /** The block's walltime end and drain period (its registration carries the end); absent = none known. */
  readonly walltime?: ManagerWalltime | null;
}

/** Replaces the container scheduler or the plain plan (see worker-plan.ts). */
export type WorkerPlanner = (input: WorkerPlanInput) => WorkerPlan;

export interface ManagerDeps {
  readonly interchange: InterchangePort;
  readonly workers: WorkerPort;
  readonly launcher: WorkerLauncher;
  readonly clock: Clock;
  readonly log: Logger;
  readonly planner?: WorkerPlanner;
  /** Called once with the exit code when the manager is done. */
  readonly onExit: (code: number, reason: string) => void;
}

/** A worker message with at least this many results goes to the interchange as it is. */
const FORWARD_AS_IS_MIN = 64;

type Phase = "registering" | "running" | "draining" | "stopped";

export class ManagerCore {
  readonly map: WorkerMap;
  private readonly batch: ResultBatch;
  private phase: Phase = "registering";
  private readonly hb: HeartbeatState;
  private hbPeriodS: number;
  private hbThresholdS: number;
  /** Capacity the interchange believes we have: last request minus tasks received since. */
  private advertised = 0;
  private settleScheduled = false;
  private nextWorker = 0;
  private earlyDeaths = 0;
  /** Ids of received tasks whose hand-off to a worker the interchange wants to hear of (`want_status`). */
  private readonly startWanted = new Set<number>();
  readonly counters = {
    tasksIn: 0, resultsOut: 0, workersLost: 0, workersStarted: 0, malformed: 0, unexpectedResults: 0,
    /** Messages: task hand-offs to workers, result messages from workers, capacity requests. */
    handoffs: 0, workerResultMsgs: 0, requests: 0,
  };

  constructor(
    private readonly s: ManagerSettings,
    private readonly d: ManagerDeps,
  ) {
    this.map = new WorkerMap({ maxWorkers: s.workerCount, initialDepth: 1, ...(s.singleUse ? { maxDepth: 1 } : {}) });
    this.batch = new ResultBatch({
      maxSize: s.resultBatchSize,
      periodMs: s.resultBatchPeriodMs,
      send: (results) => this.sendResults(results),
    });
    const now = d.clock.now();
    this.hb = { lastHeardMs: now, lastSentMs: now };
    this.hbPeriodS = s.heartbeatPeriodS;
    this.hbThresholdS = s.heartbeatThresholdS;
  }

  get state(): Phase {
    return this.phase;
  }

  /** Register and start the first workers (they boot while the interchange answers). */
  start(): void {
    this.d.interchange.sendTask(encode(this.s.registration));
    this.startWorkers(this.s.initialType, this.s.workerCount);
  }

  // ───────────── interchange ─────────────

  /** One message from the interchange: its map frame and attachment frames. */
  onInterchangeMessage(m: EncodedMessage): void {
    let msg: InterchangeToManager;
    try {
      msg = decodeInterchangeToManager(m);
    } catch (err) {
      this.counters.malformed++;
      this.d.log.error("dropping a malformed message from the interchange", { error: describeError(err), dropped: this.counters.malformed });
      return;
    }
    this.hb.lastHeardMs = this.d.clock.now();
    switch (msg.type) {
      case MSG.tasks:
        return this.onTasks(msg.tasks, msg.want_status === true);
      case MSG.registered:
        return this.onRegistered(msg.interchange_id, msg.heartbeat_period, msg.heartbeat_threshold);
      case MSG.badRegistration:
        this.d.log.error(`the interchange refused this manager's registration: ${msg.message}`, { code: msg.code });
        return this.stop(1, `registration refused (${msg.code}): ${msg.message}`);
      case MSG.heartbeat:
        return;
      case MSG.drain:
        this.d.log.info("drain requested by the interchange", { reason: msg.reason });
        return this.drain();
      case MSG.shutdown:
        this.d.log.info("shutdown requested by the interchange", { reason: msg.reason });
        return this.stop(0, `shutdown: ${msg.reason}`);
    }
  }

  private onRegistered(interchangeId: string, period: number, threshold: number): void {
    if (this.phase !== "registering") return;
    this.phase = "running";
    if (period > 0) this.hbPeriodS = period;
    if (threshold > 0) this.hbThresholdS = threshold;
    this.d.log.info("registered", { interchange: interchangeId, manager: this.s.managerId, workers: this.s.workerCount, heartbeat_period: this.hbPeriodS });
    this.scheduleSettle();
  }

  private onTasks(tasks: readonly WireTask[], wantStatus: boolean): void {
    this.counters.tasksIn += tasks.length;
    this.advertised -= tasks.length;
    const types = this.s.workerTypes;
    for (const t of tasks) {
      if (types.length > 0 && !types.includes(t.task_type)) this.refuse(t);
      else {
        this.map.enqueue(t);
        if (wantStatus) this.startWanted.add(t.id);
      }
    }
    this.scheduleSettle();
  }

  private refuse(t: WireTask): void {
    const msg = `this manager runs workers of type ${this.s.workerTypes.join(", ")}, not ${JSON.stringify(t.task_type)}`;
    this.batch.add({ id: t.id, error: this.fxError(TASK_ERROR_CODES.badTask, msg) });
  }

  // ───────────── workers ─────────────

  /** One message from a worker: its map frame and attachment frames. */
  onWorkerMessage(workerId: string, m: EncodedMessage): void {
    // Fast path: a value-only batch that is big (many results, or any attachment) is scanned for its ids and
    // forwarded untouched, attachments and all (no decode, no re-encode).
    const buf = headOf(m);
    if (buf !== undefined && buf.length > 0 && buf[0] === 0x82) {
      const attachments = attachmentCount(m);
      const ids = scanValueResults(buf, attachments);
      if (ids !== null && (ids.length >= FORWARD_AS_IS_MIN || attachments > 0)) return this.forwardResults(workerId, ids, m);
    }
    let msg;
    try {
      msg = decodeWorkerToManager(m);
    } catch (err) {
      this.counters.malformed++;
      this.d.log.error("dropping a malformed message from a worker", { worker: workerId, error: describeError(err) });
      return;
    }
    const now = this.d.clock.now();
    if (msg.type === MSG.workerHello) {
      const w = this.map.markReady(workerId, now);
      if (w === undefined) {
        this.d.log.warn("hello from a worker this manager did not start; stopping it", { worker: workerId });
        this.d.workers.sendTo(workerId, encode({ type: MSG.shutdown, reason: "unknown worker" }));
        return;
      }
      w.pid = msg.pid;
      this.earlyDeaths = 0;
      this.d.launcher.registered(workerId);
      this.d.log.debug("worker ready", { worker: workerId, type: msg.worker_type, pid: msg.pid });
    } else {
      const results = msg.results;
      this.counters.workerResultMsgs++;
      const ids = new Array<number>(results.length);
      for (let i = 0; i < results.length; i++) ids[i] = results[i]!.id;
      const unexpected = this.map.complete(workerId, ids, now);
      if (unexpected.length > 0) this.dropUnexpected(workerId, unexpected, results);
      else if (results.length >= FORWARD_AS_IS_MIN) {
        // Already a good batch: forward the worker's frames untouched (same Results shape), no re-encode.
        this.counters.resultsOut += results.length;
        this.d.interchange.sendResult(m);
      } else this.batch.addAll(results);
    }
    this.scheduleSettle();
  }

  private forwardResults(workerId: string, ids: number[], msg: EncodedMessage): void {
    this.counters.workerResultMsgs++;
    const unexpected = this.map.complete(workerId, ids, this.d.clock.now());
    if (unexpected.length === 0) {
      this.counters.resultsOut += ids.length;
      this.d.interchange.sendResult(msg);
    } else this.dropUnexpected(workerId, unexpected, decodeResults(msg).results);
    this.scheduleSettle();
  }

  /** Results for tasks this worker was not given (never expected; counted and logged, the rest go on). */
  private dropUnexpected(workerId: string, unexpected: readonly number[], results: readonly WireResult[]): void {
    this.counters.unexpectedResults += unexpected.length;
    this.d.log.warn("worker returned results for tasks it was not given; dropped", { worker: workerId, ids: unexpected.slice(0, 10), total: this.counters.unexpectedResults });
    const bad = new Set(unexpected);
    for (const r of results) if (!bad.has(r.id)) this.batch.add(r);
  }

  onWorkerExit(workerId: string, exitCode: number | null, signal: string | null, startError: string | null = null): void {
    const w = this.map.workers.get(workerId);
    if (w === undefined) return;
    const expected = w.state === "stopping" || this.phase === "stopped";
    const how = signal !== null ? `signal ${signal}` : `exit code ${exitCode}`;
    const neverReady = w.state === "starting";
    const outcome = this.map.removeWorker(workerId);
    if (outcome.culprit !== null) {
      this.counters.workersLost++;
      const msg = `worker ${workerId} on ${this.s.hostname} died (${how}) while running this task`;
      this.batch.add({ id: outcome.culprit.id, error: { ...this.fxError(TASK_ERROR_CODES.workerLost, msg), worker_id: workerId } });
    }
    if (!expected && (outcome.culprit !== null || outcome.requeued > 0 || neverReady || exitCode !== 0)) {
      this.d.log.warn("worker died", { worker: workerId, how, lost: outcome.culprit?.id ?? null, requeued: outcome.requeued });
    }
    if (neverReady && !expected && startError !== null) {
      // The image cannot run a worker (deterministic): fail its queued tasks with the runtime's reason instead
      // of retrying; other images keep working. A later task of that image tries once more.
      for (const t of this.map.drainType(w.type)) {
        this.startWanted.delete(t.id);
        this.batch.add({ id: t.id, error: this.fxError(TASK_ERROR_CODES.containerStart, startError) });
      }
      this.scheduleSettle();
      return;
    }
    if (neverReady && !expected) {
      if (++this.earlyDeaths >= this.s.maxEarlyDeaths) {
        return this.stop(1, `${this.earlyDeaths} workers in a row died before starting (last: ${how}); see the worker logs`, { failHeld: true });
      }
    }
    // Keep the pool whole: an unexpected death is replaced at once (single-use workers are replaced on demand).
    if (!expected && !this.s.singleUse && (this.phase === "running" || (this.phase === "draining" && this.map.queued > 0))) {
      this.startWorkers(w.type, 1);
    }
    this.scheduleSettle();
  }

  private startWorkers(type: string, n: number): void {
    for (let i = 0; i < n; i++) {
      const id = `${this.s.managerId}.w${this.nextWorker++}`;
      this.map.addWorker(id, type, this.d.clock.now());
      try {
        const { pid } = this.d.launcher.start(id, type);
        this.map.workers.get(id)!.pid = pid;
        this.counters.workersStarted++;
      } catch (err) {
        this.map.removeWorker(id);
        this.d.log.error("cannot start a worker", { type, error: describeError(err) });
        if (++this.earlyDeaths >= this.s.maxEarlyDeaths) return this.stop(1, `cannot start workers: ${describeError(err)}`, { failHeld: true });
      }
    }
  }

  private stopWorker(id: string): void {
    this.map.markStopping(id);
    if (!this.d.workers.sendTo(id, encode({ type: MSG.shutdown, reason: "idle" }))) this.d.launcher.signal(id, false);
  }

  // ───────────── the per-turn settle: dispatch, capacity, plan ─────────────

  private scheduleSettle(): void {
    if (this.settleScheduled || this.phase === "stopped") return;
    this.settleScheduled = true;
    setImmediate(() => {
      this.settleScheduled = false;
      this.settle();
    });
  }

  /** Exposed for tests; runs at most once per event-loop turn in production. */
  settle(): void {
    if (this.phase === "stopped") return;
    const now = this.d.clock.now();
    let started: number[] | null = null;
    for (const a of this.map.assign(now)) {
      if (this.s.singleUse) this.map.markStopping(a.worker.id); // single use: one task, then it exits; never hand it more
      this.counters.handoffs++;
      if (!this.d.workers.sendTo(a.worker.id, encodeTasks(a.tasks))) {
        // Not connected (yet/anymore): its exit will put these back.
        this.d.log.debug("worker not connected for dispatch", { worker: a.worker.id });
      } else if (this.startWanted.size > 0) {
        for (const t of a.tasks) if (this.startWanted.delete(t.id)) (started ??= []).push(t.id);
      }
    }
    // One start notice per turn, on the result channel ahead of these tasks' results (same DEALER, in order).
    if (started !== null) this.d.interchange.sendResult(encode({ type: MSG.started, ids: started }));
    if (this.map.queued > 0) this.applyPlan(now);
    // Results leave at the end of the turn that brought them: everything that arrived in one turn goes as one
    // batch, and a lone result never waits for the period (result_batch_period_ms stays the upper bound).
    this.batch.flush();
    this.updateCapacity();
    if (this.phase === "draining" && this.map.held === 0) this.stop(0, "drained"); // stop() flushes the batch
  }

  private applyPlan(now: number): void {
    const plan = (this.d.planner ?? planWorkers)(this.planInput(now));
    for (const id of plan.stop) this.stopWorker(id);
    for (const [type, n] of plan.start) this.startWorkers(type, n);
  }

  private planInput(now: number): WorkerPlanInput {
    return {
      ...this.map.planSnapshot(),
      now,
      queued: this.map.queuedByType(),
      maxWorkers: this.s.workerCount,
      minWorkers: this.s.minWorkers,
      maxIdleMs: this.s.workerMaxIdleS * 1000,
      // Draining still runs what it holds: queued tasks (e.g. put back by a dying worker) may need a worker.
      draining: this.phase !== "running" && this.map.queued === 0,
    };
  }

  /** Tasks we can take now (see capacity.ts). */
  capacity(): number {
    if (this.phase !== "running") return 0;
    return managerCapacity({ workerCount: this.s.workerCount, depth: this.map.depth, prefetch: this.s.prefetch, held: this.map.held });
  }

  private updateCapacity(): void {
    if (this.phase === "registering") return;
    const cap = this.capacity();
    if (shouldRequest(cap, this.advertised)) {
      this.advertised = cap;
      this.counters.requests++;
      this.d.interchange.sendTask(encode({ type: MSG.request, capacity: cap }));
    }
  }

  private sendResults(results: WireResult[]): void {
    this.counters.resultsOut += results.length;
    this.d.interchange.sendResult(encodeMessage({ type: MSG.results, results }));
  }

  // ───────────── housekeeping ─────────────

  /** Called every poll period: heartbeats both ways, idle workers. */
  tick(): void {
    if (this.phase === "stopped") return;
    const now = this.d.clock.now();
    if (peerLost(this.hb, now, this.hbThresholdS)) {
      const what = this.phase === "registering" ? "did not answer the registration" : "has been silent";
      this.d.log.error(`the interchange ${what} for more than ${this.hbThresholdS} s; exiting`);
      return this.stop(1, "interchange lost");
    }
    if (this.phase !== "registering" && heartbeatDue(this.hb, now, this.hbPeriodS)) {
      this.hb.lastSentMs = now;
      this.d.interchange.sendTask(
        encode({ type: MSG.heartbeat, running: this.map.held, idle_workers: this.map.idleWorkers(), worker_types: [...this.map.countsByType().keys()] }),
      );
    }
    if (this.map.queued === 0) this.applyPlan(now);
    if (this.phase === "running" && walltimeDrainDue(this.s.walltime ?? null, now)) {
      const w = this.s.walltime!;
      this.d.log.info("walltime drain: no more tasks, finishing what is held", { ends_in_s: Math.max(0, Math.round((w.endMs - now) / 1000)), held: this.map.held });
      this.drain();
    }
  }

  /** Stop asking for tasks; exit once everything held has been answered. */
  drain(): void {
    if (this.phase === "stopped" || this.phase === "draining") return;
    this.phase = "draining";
    this.advertised = 0;
    this.d.interchange.sendTask(encode({ type: MSG.request, capacity: 0 }));
    this.scheduleSettle();
  }

  /** Stop now: flush results, ask workers to leave; the shell kills what remains and exits. */
  stop(code: number, reason: string, opts: { failHeld?: boolean } = {}): void {
    if (this.phase === "stopped") return;
    this.phase = "stopped";
    // Leaving on our own while the interchange listens: say what becomes of the tasks we hold, rather than let
    // it wait for our heartbeats to expire.
    if (opts.failHeld === true) this.failHeld(reason);
    this.batch.close();
    this.startWanted.clear();
    for (const w of this.map.workers.values()) {
      w.state = "stopping";
      this.d.workers.sendTo(w.id, encode({ type: MSG.shutdown, reason }));
    }
    this.d.onExit(code, reason);
  }

  private failHeld(reason: string): void {
    const held = this.map.drainQueued();
    for (const w of this.map.workers.values()) held.push(...w.outstanding);
    const msg = `manager ${this.s.managerId} on ${this.s.hostname} stopped before this task finished (${reason})`;
    for (const t of held) this.batch.add({ id: t.id, error: this.fxError(TASK_ERROR_CODES.managerLost, msg) });
    if (held.length > 0) this.d.log.warn("failed the tasks held on the way out", { tasks: held.length, reason });
  }

  private fxError(code: (typeof TASK_ERROR_CODES)[keyof typeof TASK_ERROR_CODES], message: string): WireError {
    return { name: TASK_ERROR_NAMES[code], code, message, host: this.s.hostname, manager_id: this.s.managerId };
  }
}
