/**
 * The worker's loop: receive task batches from the manager, run them one at a time in order, send results
 * back in batches. Synchronous tasks of a batch run in one event-loop turn; results go out when the batch is
 * done, when `flushEvery` are held, or when the oldest has waited `flushMs` (so a long task never holds back
 * the results of short ones before it). Single-use workers run one task and leave.
 */
import { decodeManagerToWorker, encode } from "../protocol/codec.ts";
import { MSG, type EncodedMessage, type WireResult, type WireTask } from "../protocol/messages.ts";
import type { Logger } from "../util/log.ts";
import { describeError } from "../util/errors.ts";
import { createExecContext, executeTask, type ExecContext } from "./execute.ts";
import { encodeResults } from "./results-encoder.ts";
import { killRunningShellTasks } from "./shell-task.ts";

/** What the worker needs from its channel to the manager (a DEALER in production). */
export interface ManagerLink {
  /** Queue one message; never blocks (the link coalesces writes per tick). */
  send(msg: EncodedMessage): void;
  /** Resolves once queued messages were written (or the link is gone). */
  close(): Promise<void>;
}

export interface WorkerLoopOptions {
  readonly workerId: string;
  readonly workerType: string;
  readonly host: string;
  readonly singleUse: boolean;
  readonly link: ManagerLink;
  readonly log: Logger;
  /** Called once when the worker is done (shutdown, single use served, manager gone); the code to exit with. */
  readonly onDone: (code: number) => void;
  /** Results encoding larger than this fail with PayloadTooLarge (max_payload_bytes). */
  readonly maxResultBytes?: number;
  readonly flushEvery?: number;
  readonly flushMs?: number;
}

/** Result bytes past which held results are sent at once. */
const RESULT_BATCH_MAX_BYTES = 8 * 1024 * 1024;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class WorkerLoop {
  private readonly ctx: ExecContext;
  private queue: WireTask[] = [];
  private qHead = 0;
  private running = false;
  private pending: WireResult[] = [];
  private pendingSince = 0;
  private pendingBytes = 0;
  private stopping = false;
  private done = false;
  private served = 0;
  private readonly flushEvery: number;
  private readonly flushMs: number;

  constructor(private readonly o: WorkerLoopOptions) {
    this.ctx = createExecContext(o.host, o.workerId, o.maxResultBytes);
    this.flushEvery = o.flushEvery ?? 512;
    this.flushMs = o.flushMs ?? 1;
  }

  /** Say hello: the manager hands out nothing before it. */
  start(): void {
    this.o.link.send(
      encode({ type: MSG.workerHello, worker_id: this.o.workerId, worker_type: this.o.workerType, pid: process.pid, single_use: this.o.singleUse }),
    );
  }

  /** One message from the manager (its map frame and attachment frames). Malformed ones are logged, never fatal. */
  onMessage(m: EncodedMessage): void {
    let msg;
    try {
      msg = decodeManagerToWorker(m);
    } catch (err) {
      this.o.log.error("dropping a malformed message from the manager", { error: describeError(err) });
      return;
    }
    if (msg.type === MSG.shutdown) {
      this.o.log.debug("shutdown requested", { reason: msg.reason });
      this.stopping = true;
      if (!this.running) void this.finish(0);
      return;
    }
    for (const t of msg.tasks) this.queue.push(t);
    if (!this.running) void this.pump();
  }

  /** The manager is gone: nothing we compute can be delivered. */
  onManagerGone(): void {
    this.stopping = true;
    void this.finish(0);
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopping && this.qHead < this.queue.length) {
        const t = this.queue[this.qHead]!;
        this.queue[this.qHead++] = undefined as unknown as WireTask;
        let r = executeTask(t, this.ctx);
        if (r instanceof Promise) {
          this.flush(); // don't hold finished results while awaiting a slow one
          r = await r;
        }
        this.hold(r);
        this.served++;
        if (this.o.singleUse) {
          this.stopping = true;
          break;
        }
        if (this.pending.length >= this.flushEvery || performance.now() - this.pendingSince >= this.flushMs) {
          this.flush();
          await yieldTurn(); // let the write happen and new tasks arrive
        }
      }
      if (this.qHead === this.queue.length) {
        this.queue = [];
        this.qHead = 0;
      }
      this.flush();
    } finally {
      this.running = false;
    }
    if (this.stopping) await this.finish(0);
  }

  private hold(r: WireResult): void {
    if (this.pending.length === 0) {
      this.pendingSince = performance.now();
      this.pendingBytes = 0;
    }
    this.pending.push(r);
    if (r.value !== undefined) {
      this.pendingBytes += r.value.byteLength;
      if (this.pendingBytes >= RESULT_BATCH_MAX_BYTES) this.flush(); // keep a results message well inside frame limits
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const results = this.pending;
    this.pending = [];
    this.o.link.send(encodeResults(results));
  }

  private async finish(code: number): Promise<void> {
    if (this.done) return;
    this.done = true;
    const killed = killRunningShellTasks();
    if (killed > 0) this.o.log.info("stopped running shell tasks on the way out", { count: killed });
    this.flush();
    await this.o.link.close();
    this.o.onDone(code);
  }

  /** True once the worker has begun leaving (no further "manager gone" handling needed). */
  get finishing(): boolean {
    return this.done;
  }

  get tasksServed(): number {
    return this.served;
  }
}
