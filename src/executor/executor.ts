/**
 * HighThroughputExecutor: the client library. `start()` spawns a local interchange (config on stdin) or
 * `connect(urls)` joins a running endpoint; `submit*()` return Promises settled by results. Submissions made in
 * one event-loop turn travel as one `submit` message; results arrive and settle in batches. It never hangs:
 * when the interchange dies or stops answering, every outstanding Promise rejects with InterchangeLost within
 * `lostTimeoutMs`.
 */
import { configFromObject } from "../config/load.ts";
import { loadConfig } from "../config/load.ts";
import type { ClientUrls } from "../config/roles.ts";
import type { FxConfig } from "../config/schema.ts";
import {
  COMMANDS, MSG, RAW_TASK_TYPE, encode,
  type CommandRequest, type EncodedMessage, type InterchangeToClient, type ManagerInfo, type ShellResult, type TaskState,
} from "../protocol/index.ts";
import { describeError } from "../util/errors.ts";
import { silentLogger, type Logger } from "../util/log.ts";
import { moduleBody, shellBody, type ShellOptions } from "./bodies.ts";
import { fnPayload } from "./fn-payload.ts";
import { ClientLink } from "./client-link.ts";
import { CommandClient } from "./command-client.ts";
import { ExecutorError, EXECUTOR_ERROR_CODES, InterchangeLost, RemoteError } from "./errors.ts";
import { InterchangeProcess } from "./interchange-process.ts";
import { PendingTasks, type TaskOutcome } from "./pending.ts";
import { SubmitBatch } from "./submit-batch.ts";

export interface ExecutorInit {
  /** Ask the interchange for per-task status events (pending/dispatched/running/done/failed). */
  readonly wantStatus?: boolean;
  readonly logger?: Logger;
  /** How long a lost connection may last before outstanding tasks fail (ms). Default: min(heartbeat_threshold, 10 s). */
  readonly lostTimeoutMs?: number;
  /** argv prefix that runs fx for the local interchange (e.g. ["/path/to/dist/fx"]); default: this program. */
  readonly fxCommand?: readonly string[];
}

export interface TaskOptions {
  /** Container image (the task type); absent = a plain worker. */
  readonly container?: string;
  /** Re-runs when the manager or worker is lost (overrides executor.retries). */
  readonly retries?: number;
  /** Declared duration in seconds. */
  readonly duration?: number;
}

/** Resolve with a TaskOutcome (value, host, worker, start/end times) instead of the bare value. */
export interface DetailedOptions extends TaskOptions {
  readonly detailed: true;
}

export type TaskPromise<T> = Promise<T> & { readonly taskId: number };
export interface StatusEvent {
  readonly taskId: number;
  readonly state: TaskState;
  readonly managerId: string;
}

const MAX_TASKS_PER_SUBMIT = 4096;
const MAX_BYTES_PER_SUBMIT = 16 * 1024 * 1024;

function isFullConfig(c: unknown): c is FxConfig {
  return typeof c === "object" && c !== null && Object.isFrozen(c) && "executor" in c && "provider" in c;
}

export class HighThroughputExecutor {
  readonly config: FxConfig;
  private readonly log: Logger;
  private readonly pending = new PendingTasks();
  private readonly statusListeners = new Set<(e: StatusEvent) => void>();
  /** The submit message being built this turn, and finished ones waiting for the connection. */
  private batch = new SubmitBatch();
  private cut: EncodedMessage[] = [];
  private flushScheduled = false;
  private link: ClientLink | null = null;
  private commands: CommandClient | null = null;
  private child: InterchangeProcess | null = null;
  private state: "new" | "starting" | "running" | "lost" | "closed" = "new";
  private lostError: InterchangeLost | null = null;
  private maxPayload: number;
  private shuttingDown: Promise<void> | null = null;
  urls: ClientUrls | null = null;
  /** Pid of the interchange this executor started, if any. */
  interchangePid: number | null = null;

  /** `config`: a loaded FxConfig, a partial TOML-shaped object, or nothing (the embedded default). */
  constructor(config?: FxConfig | Record<string, unknown>, private readonly init: ExecutorInit = {}) {
    this.config = config === undefined ? loadConfig() : isFullConfig(config) ? config : configFromObject(config, { origin: "<HighThroughputExecutor config>" });
    this.log = init.logger ?? silentLogger;
    this.maxPayload = this.config.executor.max_payload_bytes;
  }

  // ───────────── lifecycle ─────────────

  /** Starts a local interchange (which starts init_blocks managers through the provider) and connects. */
  async start(): Promise<ClientUrls> {
    if (this.state !== "new") throw new ExecutorError(EXECUTOR_ERROR_CODES.startFailed, `start(): executor is already ${this.state}`);
    this.state = "starting";
    const child = new InterchangeProcess(this.config, this.init.fxCommand ?? null);
    this.child = child;
    try {
      const info = await child.start();
      this.interchangePid = info.pid;
      child.onExit((why) => this.lose(`the interchange process ended: ${why}`));
      return await this.attach(info.client);
    } catch (err) {
      this.state = "closed";
      child.kill("SIGKILL");
      throw err;
    }
  }

  /** Connects to a running endpoint's client channels. */
  async connect(urls: ClientUrls): Promise<ClientUrls> {
    if (this.state !== "new") throw new ExecutorError(EXECUTOR_ERROR_CODES.startFailed, `connect(): executor is already ${this.state}`);
    this.state = "starting";
    return this.attach(urls);
  }

  private async attach(urls: ClientUrls): Promise<ClientUrls> {
    this.urls = urls;
    const link = new ClientLink({
      url: urls.tasks,
      wantStatus: this.init.wantStatus ?? false,
      lostTimeoutMs: this.init.lostTimeoutMs ?? Math.min(this.config.executor.heartbeat_threshold * 1000, 10_000),
      maxMessageSize: this.maxPayload * 4 + 64 * 1024 * 1024,
      log: this.log,
      onMessage: (m) => this.onMessage(m),
      onLost: (why) => this.lose(why),
    });
    this.link = link;
    this.commands = new CommandClient(urls.commands, this.log);
    try {
      const welcome = await link.open();
      this.maxPayload = Math.min(this.maxPayload, welcome.max_payload_bytes);
    } catch (err) {
      this.state = "closed";
      await this.commands.close();
      throw err;
    }
    this.state = "running";
    this.flush();
    return urls;
  }

  /** The interchange is gone: every outstanding task rejects, and new submits reject at once. */
  private lose(why: string): void {
    if (this.state === "lost" || this.state === "closed" || this.shuttingDown) return;
    this.state = "lost";
    this.lostError = new InterchangeLost(`interchange lost: ${why}`);
    this.batch.clear();
    this.cut = [];
    const n = this.pending.rejectAll(this.lostError);
    this.log.error("interchange lost", { why, failed_tasks: n });
    void this.link?.close();
    void this.commands?.close();
  }

  private onMessage(msg: InterchangeToClient): void {
    switch (msg.type) {
      case MSG.results:
        for (const r of msg.results) this.pending.settle(r);
        break;
      case MSG.status:
        if (this.statusListeners.size > 0) {
          for (const [taskId, state, managerId] of msg.updates) for (const f of this.statusListeners) f({ taskId, state, managerId });
        }
        break;
      case MSG.refused:
        for (const id of msg.ids) this.pending.reject(id, new RemoteError(msg.error));
        break;
      case MSG.error:
        this.log.warn("the interchange reported an error", { code: msg.code, message: msg.message });
        break;
    }
  }

  // ───────────── submitting ─────────────

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  submit<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): TaskPromise<Awaited<R>> {
    return this.enqueue(() => fnPayload(fn, args), {}) as TaskPromise<Awaited<R>>;
  }

  /** A shell command (string: run by /bin/sh -c; array: argv) → its ShellResult. */
  submitShell(command: string | readonly string[], opts: ShellOptions = {}): TaskPromise<ShellResult> {
    return this.enqueue(() => encode(shellBody(command, opts)), {}) as TaskPromise<ShellResult>;
  }

  /** An export of a module on the workers' filesystem, called with args. */
  submitModule<R = unknown>(path: string, exportName: string, ...args: unknown[]): TaskPromise<R> {
    return this.enqueue(() => encode(moduleBody(path, exportName, args)), {}) as TaskPromise<R>;
  }

  /** One task per item: fn(item). Resolves with the results in order (rejects on the first failure). */
  map<T, R>(fn: (item: T) => R | Promise<R>, items: Iterable<T>): Promise<Awaited<R>[]> {
    const ps: Promise<Awaited<R>>[] = [];
    for (const item of items) ps.push(this.submit(fn, item));
    return Promise.all(ps);
  }

  /** The submit methods with task options, resolving with TaskOutcome (value + host, worker, times). */
  detailed(opts: TaskOptions = {}) {
    const o = { ...opts, detailed: true };
    return {
      submit: <A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A) => this.enqueue(() => fnPayload(fn, args), o) as TaskPromise<TaskOutcome<Awaited<R>>>,
      submitShell: (command: string | readonly string[], shell: ShellOptions = {}) => this.enqueue(() => encode(shellBody(command, shell)), o) as TaskPromise<TaskOutcome<ShellResult>>,
      submitModule: <R = unknown>(path: string, exportName: string, ...args: unknown[]) => this.enqueue(() => encode(moduleBody(path, exportName, args)), o) as TaskPromise<TaskOutcome<R>>,
    };
  }

  /** The same submit methods with task options (container, retries, duration). */
  with(opts: TaskOptions) {
    return {
      submit: <A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A) => this.enqueue(() => fnPayload(fn, args), opts) as TaskPromise<Awaited<R>>,
      submitShell: (command: string | readonly string[], shell: ShellOptions = {}) => this.enqueue(() => encode(shellBody(command, shell)), opts) as TaskPromise<ShellResult>,
      submitModule: <R = unknown>(path: string, exportName: string, ...args: unknown[]) => this.enqueue(() => encode(moduleBody(path, exportName, args)), opts) as TaskPromise<R>,
    };
  }

  /** `makePayload` gives the encoded task body (function bodies: see fn-payload.ts). */
  private enqueue(makePayload: () => Uint8Array, opts: TaskOptions & { detailed?: boolean }): TaskPromise<unknown> {
    const refuse = (err: Error) => Object.assign(Promise.reject(err), { taskId: -1 });
    if (this.state === "lost") return refuse(this.lostError!);
    if (this.state === "closed" || this.shuttingDown) return refuse(new ExecutorError(EXECUTOR_ERROR_CODES.shutDown, "the executor is shut down"));
    if (this.state === "new") return refuse(new ExecutorError(EXECUTOR_ERROR_CODES.notStarted, "call start() or connect() before submitting"));
    let payload: Uint8Array;
    try {
      payload = makePayload();
    } catch (err) {
      return refuse(err instanceof ExecutorError ? err : new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, `cannot encode the task: ${describeError(err)}`, { cause: err }));
    }
    if (payload.length > this.maxPayload) {
      return refuse(new ExecutorError(EXECUTOR_ERROR_CODES.payloadTooLarge, `task payload is ${payload.length} bytes, over max_payload_bytes (${this.maxPayload})`));
    }
    const { id, promise } = this.pending.add(opts.detailed === true);
    this.batch.add(id, opts.container ?? RAW_TASK_TYPE, payload, opts.duration, opts.retries);
    if (this.batch.count >= MAX_TASKS_PER_SUBMIT || this.batch.bytes >= MAX_BYTES_PER_SUBMIT) {
      this.cut.push(this.batch.take()!);
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    (promise as { taskId?: number }).taskId = id; // no temporary object per task, unlike Object.assign
    return promise as TaskPromise<unknown>;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state !== "running" || !this.link) return;
    const last = this.batch.take();
    if (last) this.cut.push(last);
    for (const msg of this.cut) this.link.sendRaw(msg);
    this.cut = [];
  }

  /** Cancels tasks still queued in the interchange (they reject with E_CANCELLED); running ones finish. */
  cancel(...tasks: (number | { readonly taskId: number })[]): void {
    const ids = tasks.map((t) => (typeof t === "number" ? t : t.taskId)).filter((id) => id > 0);
    if (ids.length === 0 || this.state !== "running" || !this.link) return;
    this.flush();
    this.link.send({ type: MSG.cancel, ids });
  }

  onStatus(f: (e: StatusEvent) => void): () => void {
    this.statusListeners.add(f);
    return () => this.statusListeners.delete(f);
  }

  /** Tasks submitted whose results have not arrived. */
  get pendingCount(): number {
    return this.pending.size;
  }

  // ───────────── commands ─────────────

  private command(req: CommandRequest, timeoutMs?: number): Promise<unknown> {
    if (!this.commands || this.state !== "running") return Promise.reject(this.lostError ?? new ExecutorError(EXECUTOR_ERROR_CODES.notStarted, `command ${req.type}: the executor is not running`));
    return this.commands.call(req, timeoutMs);
  }

  outstanding(): Promise<{ total: number; queued: number; in_flight: number; per_manager: Record<string, number>; per_type: Record<string, number> }> {
    return this.command({ type: COMMANDS.outstanding }) as never;
  }
  connectedManagers(): Promise<ManagerInfo[]> {
    return this.command({ type: COMMANDS.managers }) as Promise<ManagerInfo[]>;
  }
  connectedWorkers(): Promise<{ managers: number; workers: number }> {
    return this.command({ type: COMMANDS.workers }) as never;
  }
  utilization(): Promise<{ workers: number; in_flight: number; queued: number; utilization: number }> {
    return this.command({ type: COMMANDS.utilization }) as never;
  }
  holdManager(managerId: string): Promise<unknown> {
    return this.command({ type: COMMANDS.holdManager, manager_id: managerId });
  }
  scaleOut(blocks = 1): Promise<{ block_ids: string[] }> {
    return this.command({ type: COMMANDS.scaleOut, blocks }, 60_000) as never;
  }
  scaleIn(blocks = 1): Promise<{ block_ids: string[] }> {
    return this.command({ type: COMMANDS.scaleIn, blocks }) as never;
  }
  blocks(): Promise<unknown[]> {
    return this.command({ type: COMMANDS.blocks }) as Promise<unknown[]>;
  }
  ping(): Promise<unknown> {
    return this.command({ type: COMMANDS.ping });
  }

  /**
   * Stops: a local interchange is told to shut down (outstanding tasks fail with E_SHUTDOWN; with `drain`, they
   * finish first) and waited for; then the sockets close. Whatever is still outstanding rejects. Idempotent.
   */
  shutdown(opts: { drain?: boolean } = {}): Promise<void> {
    if (!this.shuttingDown) this.shuttingDown = this.doShutdown(opts.drain ?? false);
    return this.shuttingDown;
  }

  private async doShutdown(drain: boolean): Promise<void> {
    this.flush();
    if (this.child && this.child.running) {
      if (this.commands && this.state === "running") {
        try {
          await this.commands.call({ type: COMMANDS.shutdown, drain }, 5000);
        } catch (err) {
          this.log.warn("shutdown command failed; stopping the interchange by signal", { error: describeError(err) });
          this.child.kill("SIGTERM");
        }
      } else this.child.kill("SIGTERM"); // still starting, or lost: no command channel to ask
    }
    if (this.child) {
      // wait for results of a drain, then for the process
      await this.child.stop(drain ? 24 * 3600 * 1000 : 10_000);
    }
    this.state = "closed";
    this.pending.rejectAll(new ExecutorError(EXECUTOR_ERROR_CODES.shutDown, "the executor was shut down before the task finished"));
    await Promise.allSettled([this.link?.close(), this.commands?.close()]);
  }
}
