/**
 * What every batch-scheduler provider shares: render the job script from the scheduler's header
 * template (+ worker_init + command), keep it in `<logdir>/submit_scripts/`, submit it through the
 * command runner, remember each job's output files, and answer status for jobs the scheduler forgot.
 * A scheduler plugs in as a `SchedulerSpec` (slurm.ts, pbs.ts, lsf.ts, condor.ts, gridengine.ts).
 */
import fs from "node:fs";
import path from "node:path";
import type { ProviderConfig } from "../config/schema.ts";
import { silentLogger, type Logger } from "../util/log.ts";
import { runCommand, type CommandResult, type CommandRunner } from "./command-runner.ts";
import type { ProviderDeps } from "./deps.ts";
import { renderJobScript, safeJobName, submitScriptDir, writeJobScript } from "./job-script.ts";
import { JobState, isTerminal, type JobCommand, type JobStatus, type Provider } from "./provider.ts";
import type { TemplateValues } from "./template.ts";

export interface ScriptContext {
  readonly cfg: ProviderConfig;
  readonly jobName: string;
  readonly tasksPerNode: number;
  /** Absolute paths the scheduler should write the job's stdout / stderr to. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Absolute path of the job script. */
  readonly scriptPath: string;
}

/** Runs scheduler commands with the provider's cmd_timeout. */
export type Run = (argv: readonly string[], opts?: { allowFailure?: boolean; input?: string }) => Promise<CommandResult>;

export interface SchedulerSpec {
  readonly type: string;
  /** `#!` line + directives, with `${name}` placeholders (all required). */
  readonly header: string;
  headerValues(ctx: ScriptContext): TemplateValues;
  /** Extra files to write next to the script (HTCondor's submit description); paths are absolute. */
  extraFiles?(ctx: ScriptContext): ReadonlyArray<{ readonly path: string; readonly text: string }>;
  submitArgv(ctx: ScriptContext): string[];
  /** Text for the submit command's stdin (LSF reads the script there). */
  submitInput?(ctx: ScriptContext): string;
  parseSubmit(stdout: string): string;
  /** Statuses of the jobs the scheduler still knows; ids it does not know are left out. */
  queryStatus(ids: readonly string[], run: Run): Promise<Map<string, JobStatus>>;
  cancel(ids: readonly string[], run: Run): Promise<void>;
}

interface KnownJob {
  readonly stdoutPath: string;
  readonly stderrPath: string;
  last: JobStatus | null;
}

/** Lines of free-form scheduler options: trimmed, blank lines dropped. */
export function optionLines(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).join("\n");
}

export class BatchProvider implements Provider {
  readonly type: string;
  private readonly jobs = new Map<string, KnownJob>();
  /** Final states already seen, for any id asked about (never asked again). */
  private readonly finished = new Map<string, JobStatus>();
  private readonly log: Logger;
  private readonly runner: CommandRunner;
  private seq = 0;

  constructor(
    private readonly spec: SchedulerSpec,
    private readonly cfg: ProviderConfig,
    private readonly deps: ProviderDeps,
  ) {
    this.type = spec.type;
    this.log = deps.log ?? silentLogger;
    this.runner = deps.run ?? runCommand;
  }

  private readonly run: Run = (argv, opts = {}) => {
    // Scheduler commands run in the logdir (relative paths in scheduler_options land there); a missing
    // cwd would make spawn fail with a misleading ENOENT for the command itself.
    const cwd = path.resolve(this.deps.logdir);
    if (!fs.existsSync(cwd)) fs.mkdirSync(cwd, { recursive: true });
    return this.runner(argv, { timeoutMs: this.cfg.cmd_timeout * 1000, cwd, ...opts });
  };

  /** The job script (and extra files) a submit would write, without submitting: for `fx config` and tests. */
  render(command: JobCommand, tasksPerNode: number, jobName: string, base = safeJobName(jobName)): { ctx: ScriptContext; script: string } {
    const dir = path.resolve(submitScriptDir(this.deps.logdir));
    const ctx: ScriptContext = {
      cfg: this.cfg,
      jobName: safeJobName(jobName),
      tasksPerNode,
      stdoutPath: path.join(dir, `${base}.stdout`),
      stderrPath: path.join(dir, `${base}.stderr`),
      scriptPath: path.join(dir, `${base}.sh`),
    };
    const script = renderJobScript(this.spec.header, this.spec.headerValues(ctx), this.cfg.worker_init, command);
    return { ctx, script };
  }

  async submit(command: JobCommand, tasksPerNode: number, jobName: string): Promise<string> {
    const base = `${safeJobName(jobName)}.${Date.now()}.${++this.seq}`;
    const { ctx, script } = this.render(command, tasksPerNode, jobName, base);
    writeJobScript(this.deps.logdir, base, script);
    for (const f of this.spec.extraFiles?.(ctx) ?? []) {
      writeJobScript(this.deps.logdir, path.basename(f.path).replace(/\.[^.]*$/, ""), f.text, path.extname(f.path).slice(1));
    }
    const input = this.spec.submitInput?.(ctx);
    const r = await this.run(this.spec.submitArgv(ctx), input !== undefined ? { input } : {});
    const id = this.spec.parseSubmit(r.stdout);
    this.jobs.set(id, { stdoutPath: ctx.stdoutPath, stderrPath: ctx.stderrPath, last: null });
    this.log.info("block submitted", { scheduler: this.type, job: id, script: ctx.scriptPath });
    return id;
  }

  async status(jobIds: readonly string[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    if (jobIds.length === 0) return result;
    // Jobs already seen in a final state are not asked about again.
    const ask = jobIds.filter((id) => !this.finished.has(id));
    const known = ask.length > 0 ? await this.spec.queryStatus(ask, this.run) : new Map<string, JobStatus>();
    for (const id of jobIds) {
      const job = this.jobs.get(id);
      let st = known.get(id) ?? this.finished.get(id);
      if (!st) {
        st = job?.last
          ? { state: JobState.COMPLETED, message: `left the ${this.type} queue after ${job.last.state}; its final state is not recorded` }
          : { state: JobState.UNKNOWN, message: `job ${id} is not known to ${this.type}` };
      }
      if (job) {
        st = { ...st, stdoutPath: st.stdoutPath ?? job.stdoutPath, stderrPath: st.stderrPath ?? job.stderrPath };
        if (st.state !== JobState.UNKNOWN) job.last = st;
      }
      if (isTerminal(st.state)) this.finished.set(id, st);
      result.set(id, st);
    }
    return result;
  }

  async cancel(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.spec.cancel(jobIds, this.run);
  }

  async close(): Promise<void> {
    // Batch jobs belong to the scheduler; the interchange cancels the blocks it wants gone before closing.
  }
}
