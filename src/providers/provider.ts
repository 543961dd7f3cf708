/**
 * The provider interface: the three scheduler verbs fx needs to run blocks (one block = one batch job
 * that runs a manager per node), and the job states every provider maps its scheduler's states onto.
 *
 * Usage (what the interchange / executor does):
 *
 *   import { createProvider } from "../providers/index.ts";
 *   import { launchCommand } from "../launchers/index.ts";
 *   const provider = createProvider(config.provider, { logdir: config.logging.logdir, log });
 *   const managerArgv = selfArgv(["manager", "--task-url", …, "--block-id", blockId]);
 *   const argv = launchCommand(config.provider.launcher, managerArgv, tasksPerNode, config.provider.nodes_per_block);
 *   const jobId = await provider.submit(argv, tasksPerNode, `fx-${label}-${blockId}`);
 *   const states = await provider.status([jobId, …]);   // one scheduler call for many jobs
 *   if (states.get(jobId)?.state === JobState.FAILED) …   // stderrPath / stdoutPath hold the job's output
 *   await provider.cancel([jobId]);
 *   await provider.close();                               // LocalProvider: ends its blocks' process groups
 *
 * Every scheduler CLI runs through src/providers/command-runner.ts (argv, cmd_timeout, coded ProviderError).
 * The submit script is written to `<logdir>/submit_scripts/` and kept for the user to read.
 */

export const JobState = {
  /** Queued, held, or being configured: not running yet. */
  PENDING: "PENDING",
  /** Running (includes Slurm's COMPLETING: the job's processes are ending). */
  RUNNING: "RUNNING",
  /** Ended with exit code 0. */
  COMPLETED: "COMPLETED",
  /** Ended non-zero, failed to start, its node failed, or it ran out of memory. */
  FAILED: "FAILED",
  /** Cancelled by fx (scale-in) or by a person (scancel, qdel, …). */
  CANCELLED: "CANCELLED",
  /** Killed by the scheduler at the end of its walltime. */
  TIMEOUT: "TIMEOUT",
  /** The scheduler no longer knows the job, or reported a state fx cannot map. */
  UNKNOWN: "UNKNOWN",
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export const JOB_STATES: readonly JobState[] = Object.values(JobState);

/** States a job never leaves. UNKNOWN is not terminal: the scheduler may answer again later. */
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>([
  JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT,
]);

export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.has(state);
}

export interface JobStatus {
  readonly state: JobState;
  /** Why, in the scheduler's words where it has some (reason, exit signal, "not known to squeue"). */
  readonly message?: string;
  readonly exitCode?: number;
  /** Files holding the job's stdout / stderr (the manager's startup errors land here). */
  readonly stdoutPath?: string;
  readonly stderrPath?: string;
  /** Seconds of walltime left, where the scheduler reports it for a running job. */
  readonly timeLeftSeconds?: number;
}

/**
 * What a block runs: an argv (already transformed by a launcher; the provider shell-quotes it into
 * the job script) or a ready shell script body (run after worker_init).
 */
export type JobCommand = readonly string[] | { readonly script: string };

export interface Provider {
  /** The scheduler kind ("local", "slurm", …) for logs and reports. */
  readonly type: string;
  /**
   * Submits one block; returns the scheduler's job id. `tasksPerNode` feeds the scheduler's
   * task directives (e.g. `#SBATCH --ntasks-per-node`); `jobName` is the job's name in the queue.
   * Throws ProviderError (COMMAND_FAILED, COMMAND_TIMEOUT, TEMPLATE, PARSE, SPAWN).
   */
  submit(command: JobCommand, tasksPerNode: number, jobName: string): Promise<string>;
  /**
   * States of the given jobs, with one scheduler call where the scheduler allows it. Every id asked
   * for is in the result; a job the scheduler has forgotten is COMPLETED or UNKNOWN per what is knowable.
   */
  status(jobIds: readonly string[]): Promise<Map<string, JobStatus>>;
  /** Cancels the jobs. Cancelling a job that already ended is not an error. */
  cancel(jobIds: readonly string[]): Promise<void>;
  /** Releases what the provider holds (LocalProvider: ends its running blocks). Idempotent. */
  close(): Promise<void>;
}
