/**
 * Slurm job states → JobState. squeue prints full names (%T, -O State) and compact codes (%t); sacct
 * adds words after the state ("CANCELLED by 0"). Both spellings map here; anything else is UNKNOWN.
 */
import { JobState } from "./provider.ts";

const BY_NAME: Readonly<Record<string, JobState>> = {
  PENDING: JobState.PENDING, PD: JobState.PENDING,
  CONFIGURING: JobState.PENDING, CF: JobState.PENDING,
  REQUEUED: JobState.PENDING, RQ: JobState.PENDING,
  REQUEUE_HOLD: JobState.PENDING, RH: JobState.PENDING,
  REQUEUE_FED: JobState.PENDING, RF: JobState.PENDING,
  RESV_DEL_HOLD: JobState.PENDING, RD: JobState.PENDING,
  SUSPENDED: JobState.PENDING, S: JobState.PENDING,
  STOPPED: JobState.PENDING, ST: JobState.PENDING,
  RUNNING: JobState.RUNNING, R: JobState.RUNNING,
  COMPLETING: JobState.RUNNING, CG: JobState.RUNNING,
  RESIZING: JobState.RUNNING, RS: JobState.RUNNING,
  SIGNALING: JobState.RUNNING, SI: JobState.RUNNING,
  STAGE_OUT: JobState.RUNNING, SO: JobState.RUNNING,
  COMPLETED: JobState.COMPLETED, CD: JobState.COMPLETED,
  FAILED: JobState.FAILED, F: JobState.FAILED,
  NODE_FAIL: JobState.FAILED, NF: JobState.FAILED,
  OUT_OF_MEMORY: JobState.FAILED, OOM: JobState.FAILED,
  BOOT_FAIL: JobState.FAILED, BF: JobState.FAILED,
  SPECIAL_EXIT: JobState.FAILED, SE: JobState.FAILED,
  CANCELLED: JobState.CANCELLED, CA: JobState.CANCELLED,
  PREEMPTED: JobState.CANCELLED, PR: JobState.CANCELLED,
  REVOKED: JobState.CANCELLED, RV: JobState.CANCELLED,
  TIMEOUT: JobState.TIMEOUT, TO: JobState.TIMEOUT,
  DEADLINE: JobState.TIMEOUT, DL: JobState.TIMEOUT,
};

export function slurmState(text: string): JobState {
  const word = text.trim().split(/\s+/)[0]?.replace(/\+$/, "").toUpperCase() ?? "";
  return BY_NAME[word] ?? JobState.UNKNOWN;
}
