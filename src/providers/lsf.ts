/**
 * IBM Spectrum LSF: `bsub` with the script on stdin (LSF reads #BSUB directives from stdin) /
 * `bjobs -a -json -o "…"` (one call for many jobs, finished jobs included for CLEAN_PERIOD) / bkill.
 * No LSF runs here: the parsers are tested against bjobs -json / bsub / bkill output recorded on real
 * clusters by other projects (test/fixtures/schedulers/lsf/recorded) and, for what no recording shows
 * (EXIT_REASON in -json, the not-found ERROR record), against transcribed output.
 *
 * Directives: name, output files, walltime (-W minutes), -nnodes when cores are not given, else
 * -n <nodes × tasks> with span[ptile=<tasks per node>]; queue (-q), account (-P), exclusive (-x),
 * mem_per_node (-M GB), and scheduler_options lines as-is.
 */
import type { ProviderConfig } from "../config/schema.ts";
import { BatchProvider, optionLines, type Run, type SchedulerSpec, type ScriptContext } from "./batch.ts";
import type { ProviderDeps } from "./deps.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { JobState, type JobStatus } from "./provider.ts";
import { walltimeMinutes } from "./walltime.ts";
import fs from "node:fs";

const HEADER = `#!/bin/bash
#BSUB -J \${job_name}
#BSUB -o \${stdout}
#BSUB -e \${stderr}
#BSUB -W \${walltime_minutes}
\${directives}`;

function directives(cfg: ProviderConfig, tasksPerNode: number): string {
  const d: string[] = [];
  d.push(`#BSUB -n ${cfg.nodes_per_block * tasksPerNode}`);
  d.push(`#BSUB -R "span[ptile=${tasksPerNode}]"`);
  if (cfg.queue) d.push(`#BSUB -q ${cfg.queue}`);
  if (cfg.account) d.push(`#BSUB -P ${cfg.account}`);
  if (cfg.exclusive) d.push("#BSUB -x");
  if (cfg.mem_per_node !== null) d.push(`#BSUB -M ${cfg.mem_per_node}GB`);
  const extra = optionLines(cfg.scheduler_options);
  if (extra) d.push(extra);
  return d.join("\n");
}

const LSF_STATES: Readonly<Record<string, JobState>> = {
  PEND: JobState.PENDING, PROV: JobState.PENDING, PSUSP: JobState.PENDING, WAIT: JobState.PENDING,
  RUN: JobState.RUNNING, USUSP: JobState.RUNNING, SSUSP: JobState.RUNNING, ZOMBI: JobState.RUNNING,
  DONE: JobState.COMPLETED, EXIT: JobState.FAILED, UNKWN: JobState.UNKNOWN,
};

export const BJOBS_FIELDS = "jobid stat exit_code exit_reason";

export function parseBsubJobId(stdout: string): string {
  const m = /Job <(\d+)>/.exec(stdout);
  if (!m) throw new ProviderError(C.PARSE, `bsub printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return m[1]!;
}

interface BjobsRecord { JOBID?: string; STAT?: string; EXIT_CODE?: string; EXIT_REASON?: string; ERROR?: string }

/** bjobs -json output → statuses; records carrying ERROR (job not found) are left out. */
export function parseBjobsJson(stdout: string): Map<string, JobStatus> {
  let doc: { RECORDS?: BjobsRecord[] };
  try {
    doc = JSON.parse(stdout) as { RECORDS?: BjobsRecord[] };
  } catch (err) {
    throw new ProviderError(C.PARSE, `bjobs -json printed no JSON: ${JSON.stringify(stdout.slice(0, 200))}`, { cause: err });
  }
  const out = new Map<string, JobStatus>();
  for (const r of doc.RECORDS ?? []) {
    if (r.ERROR || !r.JOBID) continue;
    let state = LSF_STATES[r.STAT ?? ""] ?? JobState.UNKNOWN;
    // An empty field is "" in -json output ("-" in bjobs' delimited -o output; accepted here too).
    const reason = r.EXIT_REASON?.trim().replace(/^-$/, "") ?? "";
    const exit = r.EXIT_CODE && /^\d+$/.test(r.EXIT_CODE.trim()) ? Number(r.EXIT_CODE) : undefined;
    if (state === JobState.FAILED) {
      if (/TERM_RUNLIMIT|run ?time limit/i.test(reason)) state = JobState.TIMEOUT;
      else if (/TERM_OWNER|TERM_ADMIN|killed by owner|killed by LSF admin/i.test(reason)) state = JobState.CANCELLED;
    }
    const bits = [reason, state === JobState.UNKNOWN ? `LSF state ${r.STAT}` : ""].filter(Boolean);
    out.set(r.JOBID, {
      state,
      ...(bits.length ? { message: bits.join("; ") } : {}),
      ...(state === JobState.COMPLETED ? { exitCode: 0 } : exit !== undefined ? { exitCode: exit } : {}),
    });
  }
  return out;
}

export function lsfSpec(): SchedulerSpec {
  return {
    type: "lsf",
    header: HEADER,
    headerValues: (ctx: ScriptContext) => ({
      job_name: ctx.jobName,
      stdout: ctx.stdoutPath,
      stderr: ctx.stderrPath,
      walltime_minutes: walltimeMinutes(ctx.cfg.walltime),
      directives: directives(ctx.cfg, ctx.tasksPerNode),
    }),
    submitArgv: () => ["bsub"],
    submitInput: (ctx: ScriptContext) => fs.readFileSync(ctx.scriptPath, "utf8"),
    parseSubmit: parseBsubJobId,
    async queryStatus(ids: readonly string[], run: Run) {
      // bjobs exits non-zero when some ids are not found; the JSON still lists every id (ERROR for the missing).
      const r = await run(["bjobs", "-a", "-json", "-o", BJOBS_FIELDS, ...ids], { allowFailure: true });
      if (r.stdout.trim().startsWith("{")) return parseBjobsJson(r.stdout);
      if (/not found/i.test(r.stderr + r.stdout)) return new Map();
      throw new ProviderError(C.COMMAND_FAILED, `bjobs exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
    },
    async cancel(ids: readonly string[], run: Run) {
      const r = await run(["bkill", ...ids], { allowFailure: true });
      if (r.exitCode !== 0 && !/already finished|no matching job|not found/i.test(r.stderr + r.stdout)) {
        throw new ProviderError(C.COMMAND_FAILED, `bkill exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
      }
    },
  };
}

export class LsfProvider extends BatchProvider {
  constructor(cfg: ProviderConfig, deps: ProviderDeps) {
    super(lsfSpec(), cfg, deps);
  }
}
