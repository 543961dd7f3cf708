/**
 * HTCondor: `condor_submit -terse <file>.submit` (the submit description runs the job script) /
 * `condor_q … -af:jt` then `condor_history` for jobs that left the queue / condor_rm.
 *
 * Walltime: HTCondor has no walltime of its own; the submit description removes a job that has
 * run longer than `walltime` (periodic_remove on the job's FxWalltime attribute), which status
 * reports as TIMEOUT. Jobs HTCondor put on hold for an error (not condor_hold or `hold = true`) are
 * FAILED, with the hold reason, and removed from the queue (a held job would otherwise stay there for
 * ever). cores_per_node → request_cpus, mem_per_node → request_memory; scheduler_options lines are
 * added to the submit description as-is (a later line wins, so they can override fx's own).
 */
import type { ProviderConfig } from "../config/schema.ts";
import { BatchProvider, optionLines, type Run, type SchedulerSpec, type ScriptContext } from "./batch.ts";
import type { ProviderDeps } from "./deps.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { JobState, type JobStatus } from "./provider.ts";
import { parseWalltime } from "./walltime.ts";

const HEADER = "#!/bin/bash\n# fx block ${job_name} (HTCondor job script; see the .submit file beside it)";

/** Attributes asked of condor_q / condor_history, in this order after the job id (-af:jt). */
export const CONDOR_ATTRS = ["JobStatus", "ExitCode", "ExitBySignal", "ExitSignal", "HoldReasonCode", "HoldReason", "RemoveReason"] as const;

export function condorSubmitDescription(ctx: ScriptContext): string {
  const cfg = ctx.cfg;
  const lines = [
    `# fx block ${ctx.jobName}`,
    "universe = vanilla",
    `executable = ${ctx.scriptPath}`,
    `output = ${ctx.stdoutPath}`,
    `error = ${ctx.stderrPath}`,
    `log = ${ctx.scriptPath.replace(/\.sh$/, ".condor.log")}`,
    "getenv = true",
    `batch_name = ${ctx.jobName}`,
    `request_cpus = ${cfg.cores_per_node ?? ctx.tasksPerNode}`,
    ...(cfg.mem_per_node !== null ? [`request_memory = ${cfg.mem_per_node * 1024}`] : []),
    `+FxWalltime = ${parseWalltime(cfg.walltime)}`,
    "periodic_remove = (JobStatus == 2) && (time() - EnteredCurrentStatus > FxWalltime)",
  ];
  const extra = optionLines(cfg.scheduler_options);
  if (extra) lines.push(extra);
  lines.push("queue 1", "");
  return lines.join("\n");
}

/** "123.0 - 123.0" → "123.0" */
export function parseCondorSubmit(stdout: string): string {
  const m = /^\s*(\d+\.\d+)\s*-/m.exec(stdout);
  if (!m) throw new ProviderError(C.PARSE, `condor_submit -terse printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return m[1]!;
}

const HELD = "held: ";

/** A job HTCondor held for an error: fx reports it FAILED, so it must not stay in the queue. */
const heldForError = (st: JobStatus) => st.state === JobState.FAILED && st.message?.startsWith(HELD) === true;

/** HoldReasonCodes that are not errors: condor_hold (1), `hold = true` at submit (15), input being spooled (16). */
const NOT_AN_ERROR_HOLDS: ReadonlySet<number> = new Set([1, 15, 16]);

/** `-af:jt` lines: "<cluster.proc>\t<attr>\t<attr>…" (tab-separated; "undefined" marks an absent attribute). */
export function parseCondorAf(stdout: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const line of stdout.split("\n")) {
    const words = line.split("\t").map((w) => w.trim());
    if (words.length < 2 || !/^\d+\.\d+$/.test(words[0]!)) continue;
    const [id, status, exitCode, bySignal, signal, holdCode, holdReason = "undefined", removeReason = "undefined"] = words as string[];
    const defined = (w: string) => (w === "undefined" ? "" : w);
    const num = (w: string | undefined) => (w !== undefined && /^-?\d+$/.test(w) ? Number(w) : undefined);
    const code = num(exitCode);
    let state: JobState;
    let message: string | undefined;
    switch (num(status)) {
      case 1: state = JobState.PENDING; break;
      case 2: case 6: state = JobState.RUNNING; break;
      case 7: state = JobState.PENDING; message = "suspended"; break;
      case 3:
        state = /PeriodicRemove/i.test(removeReason) && /FxWalltime/.test(removeReason) ? JobState.TIMEOUT : JobState.CANCELLED;
        message = defined(removeReason) || undefined;
        break;
      case 4:
        if (bySignal === "true") { state = JobState.FAILED; message = `killed by signal ${signal}`; }
        else { state = code === 0 ? JobState.COMPLETED : JobState.FAILED; if (code !== 0) message = `exit code ${code}`; }
        break;
      case 5: {
        const hc = num(holdCode);
        state = hc !== undefined && NOT_AN_ERROR_HOLDS.has(hc) ? JobState.PENDING : JobState.FAILED;
        message = `${HELD}${defined(holdReason) || "no reason given"}`;
        break;
      }
      default: state = JobState.UNKNOWN; message = `HTCondor JobStatus ${status}`;
    }
    out.set(id!, {
      state,
      ...(message ? { message } : {}),
      ...(num(status) === 4 && code !== undefined ? { exitCode: code } : {}),
    });
  }
  return out;
}

/** Job ids as HTCondor prints them (cluster.proc); a bare cluster id means proc 0. */
const norm = (id: string) => (id.includes(".") ? id : `${id}.0`);

export function condorSpec(): SchedulerSpec {
  const submitFile = (ctx: ScriptContext) => ctx.scriptPath.replace(/\.sh$/, ".submit");
  return {
    type: "condor",
    header: HEADER,
    headerValues: (ctx) => ({ job_name: ctx.jobName }),
    extraFiles: (ctx) => [{ path: submitFile(ctx), text: condorSubmitDescription(ctx) }],
    submitArgv: (ctx) => ["condor_submit", "-terse", submitFile(ctx)],
    parseSubmit: parseCondorSubmit,
    async queryStatus(ids: readonly string[], run: Run) {
      const want = ids.map(norm);
      const q = await run(["condor_q", ...want, "-af:jt", ...CONDOR_ATTRS]);
      const found = parseCondorAf(q.stdout);
      // A held job never ends by itself; FAILED is final for fx (never asked about or cancelled again): remove it.
      const held = [...found].filter(([, st]) => heldForError(st)).map(([id]) => id);
      if (held.length > 0) await run(["condor_rm", ...held], { allowFailure: true });
      const missing = want.filter((id) => !found.has(id));
      if (missing.length > 0) {
        const h = await run(["condor_history", ...missing, "-af:jt", ...CONDOR_ATTRS], { allowFailure: true });
        if (h.exitCode === 0) for (const [id, st] of parseCondorAf(h.stdout)) if (!found.has(id)) found.set(id, st);
      }
      const out = new Map<string, JobStatus>();
      for (const id of ids) { const st = found.get(norm(id)); if (st) out.set(id, st); }
      return out;
    },
    async cancel(ids: readonly string[], run: Run) {
      const r = await run(["condor_rm", ...ids.map(norm)], { allowFailure: true });
      if (r.exitCode !== 0 && !/couldn't find|not found|already/i.test(r.stderr + r.stdout)) {
        throw new ProviderError(C.COMMAND_FAILED, `condor_rm exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
      }
    },
  };
}

export class CondorProvider extends BatchProvider {
  constructor(cfg: ProviderConfig, deps: ProviderDeps) {
    super(condorSpec(), cfg, deps);
  }
}
