/**
 * LocalProvider: a block is a local process group — `/bin/bash <script>` spawned detached (its own
 * session), stdout/stderr to files next to the script in `<logdir>/submit_scripts/`. Cancel signals the
 * whole group (SIGTERM, then SIGKILL after a grace period); status comes from the child's exit.
 *
 * Like Parsl's LocalProvider it ignores `walltime` unless `walltimeSeconds` is given, in which case a
 * block still running at its walltime is killed and reported as TIMEOUT.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { ProviderConfig } from "../config/schema.ts";
import { silentLogger, type Logger } from "../util/log.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { JobState, type JobCommand, type JobStatus, type Provider } from "./provider.ts";
import { renderJobScript, safeJobName, writeJobScript } from "./job-script.ts";
import type { ProviderDeps } from "./deps.ts";

const HEADER = "#!/bin/bash\n# fx block ${job_name} (local provider), ${tasks_per_node} task(s) per node";

export interface LocalProviderOptions {
  readonly worker_init: string;
  /** Kill blocks after this many seconds (TIMEOUT). Default: never. */
  readonly walltimeSeconds?: number;
  /** Milliseconds between SIGTERM and SIGKILL on cancel. Default 5000. */
  readonly killGraceMs?: number;
}

interface LocalJob {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly startedAtMs: number;
  exited: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  timedOut: boolean;
  readonly exitPromise: Promise<void>;
  timers: ReturnType<typeof setTimeout>[];
}

export class LocalProvider implements Provider {
  readonly type = "local";
  private readonly jobs = new Map<string, LocalJob>();
  private readonly log: Logger;
  private readonly killGraceMs: number;
  private seq = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly opts: LocalProviderOptions,
    private readonly deps: ProviderDeps,
  ) {
    this.log = deps.log ?? silentLogger;
    this.killGraceMs = opts.killGraceMs ?? 5000;
  }

  static fromConfig(cfg: Pick<ProviderConfig, "worker_init">, deps: ProviderDeps): LocalProvider {
    return new LocalProvider({ worker_init: cfg.worker_init }, deps);
  }

  async submit(command: JobCommand, tasksPerNode: number, jobName: string): Promise<string> {
    if (this.closing) throw new ProviderError(C.SPAWN, "local provider is closed");
    const name = safeJobName(jobName);
    const base = `${name}.${process.pid}.${++this.seq}`;
    const text = renderJobScript(HEADER, { job_name: name, tasks_per_node: tasksPerNode }, this.opts.worker_init, command);
    const script = writeJobScript(this.deps.logdir, base, text);
    const stdoutPath = script.replace(/\.sh$/, ".stdout");
    const stderrPath = script.replace(/\.sh$/, ".stderr");
    let out: number | undefined;
    let err: number | undefined;
    let child: ChildProcess;
    try {
      out = fs.openSync(stdoutPath, "w");
      err = fs.openSync(stderrPath, "w");
      child = spawn("/bin/bash", [script], { detached: true, stdio: ["ignore", out, err] });
    } catch (e) {
      throw new ProviderError(C.SPAWN, `cannot start local block ${name}: ${(e as Error).message}`, { cause: e });
    } finally {
      if (out !== undefined) fs.closeSync(out);
      if (err !== undefined) fs.closeSync(err);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const why = await new Promise<string>((r) => child.once("error", (e) => r(e.message)));
      throw new ProviderError(C.SPAWN, `cannot start local block ${name}: ${why}`);
    }
    let onExit!: () => void;
    const exitPromise = new Promise<void>((r) => (onExit = r));
    const job: LocalJob = {
      child, pid, stdoutPath, stderrPath, startedAtMs: Date.now(),
      exited: false, exitCode: null, signal: null, cancelled: false, timedOut: false, exitPromise, timers: [],
    };
    child.on("error", (e) => this.log.warn("local block process error", { pid, error: e.message }));
    child.on("exit", (code, signal) => {
      job.exited = true;
      job.exitCode = code;
      job.signal = signal;
      for (const t of job.timers) clearTimeout(t);
      job.timers = [];
      onExit();
    });
    const id = String(pid);
    this.jobs.set(id, job);
    if (this.opts.walltimeSeconds !== undefined) {
      const t = setTimeout(() => {
        if (job.exited) return;
        job.timedOut = true;
        this.signalGroup(job, "SIGTERM");
        this.scheduleKill(job);
      }, this.opts.walltimeSeconds * 1000);
      t.unref?.();
      job.timers.push(t);
    }
    this.log.debug("local block started", { job: id, script });
    return id;
  }

  async status(jobIds: readonly string[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    for (const id of jobIds) {
      const job = this.jobs.get(id);
      result.set(id, job ? this.statusOf(job) : { state: JobState.UNKNOWN, message: `no local block with id ${id}` });
    }
    return result;
  }

  private statusOf(job: LocalJob): JobStatus {
    const files = { stdoutPath: job.stdoutPath, stderrPath: job.stderrPath };
    if (!job.exited) {
      const left = this.opts.walltimeSeconds !== undefined
        ? { timeLeftSeconds: Math.max(0, this.opts.walltimeSeconds - (Date.now() - job.startedAtMs) / 1000) }
        : {};
      return { state: JobState.RUNNING, ...files, ...left };
    }
    const how = job.signal ? `killed by ${job.signal}` : `exited ${job.exitCode}`;
    const exit = job.exitCode !== null ? { exitCode: job.exitCode } : {};
    if (job.cancelled) return { state: JobState.CANCELLED, message: `cancelled (${how})`, ...exit, ...files };
    if (job.timedOut) return { state: JobState.TIMEOUT, message: `walltime reached (${how})`, ...exit, ...files };
    if (job.exitCode === 0) return { state: JobState.COMPLETED, exitCode: 0, ...files };
    return { state: JobState.FAILED, message: how, ...exit, ...files };
  }

  async cancel(jobIds: readonly string[]): Promise<void> {
    for (const id of jobIds) {
      const job = this.jobs.get(id);
      if (!job || job.exited) continue;
      job.cancelled = true;
      this.signalGroup(job, "SIGTERM");
      this.scheduleKill(job);
    }
  }

  /** Resolves when the block's process has exited (tests; close()). */
  async waitForExit(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.exitPromise;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const running = [...this.jobs.entries()].filter(([, j]) => !j.exited);
      await this.cancel(running.map(([id]) => id));
      await Promise.all(running.map(([, j]) => j.exitPromise));
    })();
    return this.closing;
  }

  private scheduleKill(job: LocalJob): void {
    const t = setTimeout(() => {
      if (!job.exited) this.signalGroup(job, "SIGKILL");
    }, this.killGraceMs);
    job.timers.push(t);
  }

  private signalGroup(job: LocalJob, signal: NodeJS.Signals): void {
    try {
      process.kill(-job.pid, signal); // the whole process group: bash, the manager, its workers
    } catch {
      try { job.child.kill(signal); } catch { /* already gone */ }
    }
  }
}
