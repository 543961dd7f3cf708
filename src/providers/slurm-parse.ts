/**
 * Readers of Slurm command output (pure; fed recorded output in tests):
 *   sbatch --parsable                        "123" or "123;cluster"
 *   squeue -h -t all -j … -O <SQUEUE_FIELDS>  "id|STATE|reason|timeleft|rawstatus|"
 *   sacct -n -P -X -j … -o JobID,State,ExitCode
 *   scontrol -o show job                     one "Key=Value …" line per job
 */
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { JobState, type JobStatus } from "./provider.ts";
import { slurmState } from "./slurm-states.ts";
import { parseWalltime } from "./walltime.ts";

/** squeue -O spec: no width, "|" after each field, so reasons with spaces survive. */
export const SQUEUE_FIELDS = "JobID:|,State:|,Reason:|,TimeLeft:|,exit_code:|";

export function parseSbatchJobId(stdout: string): string {
  const first = stdout.trim().split("\n").pop()?.trim() ?? "";
  const id = first.split(";")[0] ?? "";
  if (!/^\d+(_\d+)?$/.test(id)) throw new ProviderError(C.PARSE, `sbatch printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return id;
}

/** Seconds in squeue's TimeLeft ("1:00", "1:02:03", "2-01:00:00"); undefined for UNLIMITED/INVALID/NOT_SET. */
export function parseTimeLeft(text: string): number | undefined {
  const t = text.trim();
  if (!/^[\d:-]+$/.test(t) || !t.includes(":")) return undefined;
  try {
    // squeue writes MM:SS below an hour, where parseWalltime reads two parts as MM:SS too.
    return parseWalltime(t);
  } catch {
    return undefined;
  }
}

/** A wait(2) status (squeue exit_code) → exit code, or a signal number. */
function fromWaitStatus(raw: number): { exitCode?: number; signal?: number } {
  if (!Number.isInteger(raw) || raw < 0) return {};
  const signal = raw & 0x7f;
  if (signal !== 0) return { signal };
  return { exitCode: (raw >> 8) & 0xff };
}

function describe(state: JobState, stateText: string, reason: string, signal?: number, exitCode?: number): string | undefined {
  const bits: string[] = [];
  if (stateText && state !== stateText) bits.push(stateText);
  if (reason && reason !== "None") bits.push(reason);
  if (exitCode !== undefined && exitCode !== 0) bits.push(`exit code ${exitCode}`);
  if (signal !== undefined) bits.push(`signal ${signal}`);
  return bits.length > 0 ? bits.join(", ") : undefined;
}

export function parseSqueue(stdout: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const [id = "", stateText = "", reason = "", timeLeft = "", raw = ""] = line.split("|").map((f) => f.trim());
    if (!id) continue;
    const state = slurmState(stateText);
    const w = raw !== "" && /^\d+$/.test(raw) ? fromWaitStatus(Number(raw)) : {};
    const left = state === JobState.RUNNING ? parseTimeLeft(timeLeft) : undefined;
    const message = describe(state, stateText, reason, w.signal, w.exitCode);
    out.set(id, {
      state,
      ...(message ? { message } : {}),
      ...(w.exitCode !== undefined && state !== JobState.PENDING && state !== JobState.RUNNING ? { exitCode: w.exitCode } : {}),
      ...(left !== undefined ? { timeLeftSeconds: left } : {}),
    });
  }
  return out;
}

/** "3:0" → 3 (the part before the colon is the exit code, after it the signal). */
function parseExitPair(text: string | undefined): { exitCode?: number; signal?: number } {
  const m = /^(\d+):(\d+)$/.exec(text?.trim() ?? "");
  if (!m) return {};
  const signal = Number(m[2]);
  return signal !== 0 ? { exitCode: Number(m[1]), signal } : { exitCode: Number(m[1]) };
}

export function parseSacct(stdout: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const line of stdout.split("\n")) {
    const [id = "", stateText = "", exit] = line.trim().split("|");
    if (!id || id.includes(".")) continue;
    const state = slurmState(stateText);
    const e = parseExitPair(exit);
    const message = describe(state, stateText, "", e.signal, e.exitCode);
    out.set(id, { state, ...(message ? { message } : {}), ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) });
  }
  return out;
}

/** `scontrol -o show job` lines → statuses (JobState, Reason, ExitCode, StdOut, StdErr). */
export function parseScontrolJobs(stdout: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const line of stdout.split("\n")) {
    const fields = new Map<string, string>();
    for (const m of line.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) fields.set(m[1]!, m[2]!);
    const id = fields.get("JobId");
    if (!id) continue;
    const stateText = fields.get("JobState") ?? "";
    const state = slurmState(stateText);
    const e = parseExitPair(fields.get("ExitCode"));
    const message = describe(state, stateText, fields.get("Reason") ?? "", e.signal, e.exitCode);
    out.set(id, {
      state,
      ...(message ? { message } : {}),
      ...(e.exitCode !== undefined && state !== JobState.PENDING && state !== JobState.RUNNING ? { exitCode: e.exitCode } : {}),
      ...(fields.get("StdOut") ? { stdoutPath: fields.get("StdOut")! } : {}),
      ...(fields.get("StdErr") ? { stderrPath: fields.get("StdErr")! } : {}),
    });
  }
  return out;
}
