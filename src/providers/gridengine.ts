/**
 * Grid Engine (Son of Grid Engine, Open Grid Scheduler, Altair/Univa GE): `qsub -terse <script>` /
 * `qstat` (one table for all of the user's jobs) then `qacct -j <id>` for jobs that left it (a finished
 * job still listed by `qstat -s z` but not yet in accounting is UNKNOWN until it is) / qdel.
 *
 * Directives: name, output files, walltime (h_rt), slots via a parallel environment when more than
 * one task per node (`-pe smp <tasks>`, change it with scheduler_options), queue (-q), account (-P),
 * mem_per_node (h_vmem), and scheduler_options lines as-is.
 */
import type { ProviderConfig } from "../config/schema.ts";
import { BatchProvider, optionLines, type Run, type SchedulerSpec, type ScriptContext } from "./batch.ts";
import type { ProviderDeps } from "./deps.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { JobState, type JobStatus } from "./provider.ts";
import { formatWalltime, parseWalltime } from "./walltime.ts";

const HEADER = `#!/bin/bash
#$ -S /bin/bash
#$ -N \${job_name}
#$ -o \${stdout}
#$ -e \${stderr}
#$ -l h_rt=\${walltime}
\${directives}`;

function directives(cfg: ProviderConfig, tasksPerNode: number): string {
  const d: string[] = [];
  const slots = cfg.cores_per_node ?? tasksPerNode;
  if (slots > 1) d.push(`#$ -pe smp ${slots}`);
  if (cfg.queue) d.push(`#$ -q ${cfg.queue}`);
  if (cfg.account) d.push(`#$ -P ${cfg.account}`);
  if (cfg.mem_per_node !== null) d.push(`#$ -l h_vmem=${cfg.mem_per_node}G`);
  const extra = optionLines(cfg.scheduler_options);
  if (extra) d.push(extra);
  return d.join("\n");
}

export function parseGeSubmit(stdout: string): string {
  const t = stdout.trim();
  const m = /^(\d+)(?:\.\d+-\d+:\d+)?$/.exec(t) ?? /Your job (\d+)/.exec(t);
  if (!m) throw new ProviderError(C.PARSE, `qsub printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return m[1]!;
}

/** Grid Engine state letters (qstat's "state" column, e.g. "qw", "hqw", "r", "Eqw", "dr"). */
export function geState(code: string): { state: JobState; message?: string } {
  if (code.includes("E")) return { state: JobState.FAILED, message: `job in error state (${code}); see qstat -j` };
  if (code.includes("d")) return { state: JobState.RUNNING, message: `being deleted (${code})` };
  if (/[rtR]/.test(code) && !code.includes("q")) return { state: JobState.RUNNING };
  if (/[qhwsST]/.test(code)) return { state: JobState.PENDING, ...(code !== "qw" ? { message: code } : {}) };
  return { state: JobState.UNKNOWN, message: `Grid Engine state ${code}` };
}

/** The qstat table: header, dashes, then "job-ID prior name user state submit/start-at queue slots [ja-task]". */
export function parseGeQstat(stdout: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const line of stdout.split("\n")) {
    const w = line.trim().split(/\s+/);
    if (w.length < 5 || !/^\d+$/.test(w[0]!)) continue;
    out.set(w[0]!, geState(w[4]!));
  }
  return out;
}

/** The leading integer of a qacct value ("137                  (Killed)" → 137). */
function leadingInt(text: string | undefined): number | undefined {
  const m = /^\s*(-?\d+)/.exec(text ?? "");
  return m ? Number(m[1]) : undefined;
}

/** Seconds in qacct's ru_wallclock ("7s", "7", "7.000") or h_rt ("60", "00:01:00"). */
function seconds(text: string | undefined): number | undefined {
  const t = (text ?? "").trim().replace(/s$/, "");
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(\d+):(\d+):(\d+)$/.exec(t);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/**
 * `qacct -j <id>`: "key value" lines. failed 0 + exit_status 0 → COMPLETED. "failed 37 : qmaster
 * enforced h_rt…" → TIMEOUT. A job killed by SIGKILL otherwise (exit_status 137, "failed 100 :
 * assumedly after job") is TIMEOUT when it ran its whole h_rt (from the job's category), else
 * CANCELLED (qdel); anything else is FAILED.
 */
export function parseQacct(stdout: string): JobStatus | null {
  const f = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^(\w+)\s+(.*)$/.exec(line.trim());
    if (m) f.set(m[1]!, m[2]!.trim());
  }
  if (!f.has("jobnumber") && !f.has("exit_status")) return null;
  const exit = leadingInt(f.get("exit_status"));
  const failed = f.get("failed") ?? "0";
  const failedCode = leadingInt(failed) ?? 0;
  if (failedCode === 0 && exit === 0) return { state: JobState.COMPLETED, exitCode: 0 };
  const bits: string[] = [];
  if (failedCode !== 0) bits.push(`failed ${failed}`);
  if (exit !== undefined && exit !== 0) bits.push(exit > 128 ? `killed by signal ${exit - 128}` : `exit code ${exit}`);
  let state: JobState = JobState.FAILED;
  if (/h_rt/.test(failed)) state = JobState.TIMEOUT; // "37 : qmaster enforced h_rt, h_cpu, or h_vmem limit"
  else if (exit === 137) {
    const limit = seconds(/h_rt=(\S+)/.exec(f.get("category") ?? "")?.[1]);
    const ran = seconds(f.get("ru_wallclock"));
    state = limit !== undefined && ran !== undefined && ran >= limit ? JobState.TIMEOUT : JobState.CANCELLED;
  }
  return { state, message: bits.join("; "), ...(exit !== undefined ? { exitCode: exit } : {}) };
}

export function gridEngineSpec(): SchedulerSpec {
  return {
    type: "gridengine",
    header: HEADER,
    headerValues: (ctx: ScriptContext) => ({
      job_name: /^\d/.test(ctx.jobName) ? `fx${ctx.jobName}` : ctx.jobName, // GE names may not start with a digit
      stdout: ctx.stdoutPath,
      stderr: ctx.stderrPath,
      walltime: formatWalltime(parseWalltime(ctx.cfg.walltime)),
      directives: directives(ctx.cfg, ctx.tasksPerNode),
    }),
    submitArgv: (ctx) => ["qsub", "-terse", ctx.scriptPath],
    parseSubmit: parseGeSubmit,
    async queryStatus(ids: readonly string[], run: Run) {
      const q = await run(["qstat"]);
      const all = parseGeQstat(q.stdout);
      const out = new Map<string, JobStatus>();
      const missing = ids.filter((id) => !all.has(id));
      for (const id of ids) { const st = all.get(id); if (st) out.set(id, st); }
      if (missing.length === 0) return out;
      // Finished jobs stay listed as zombies ("z") until accounting has them.
      const z = await run(["qstat", "-s", "z"], { allowFailure: true }).catch(() => null);
      const zombies = z && z.exitCode === 0 ? parseGeQstat(z.stdout) : new Map<string, JobStatus>();
      for (const id of missing) {
        const a = await run(["qacct", "-j", id], { allowFailure: true }).catch(() => null);
        const done = a && a.exitCode === 0 ? parseQacct(a.stdout) : null;
        if (done) out.set(id, done);
        else if (zombies.has(id)) out.set(id, { state: JobState.UNKNOWN, message: "finished; its accounting record is not written yet" });
      }
      return out;
    },
    async cancel(ids: readonly string[], run: Run) {
      const r = await run(["qdel", ...ids], { allowFailure: true });
      if (r.exitCode !== 0 && !/does not exist|already deleted|not found/i.test(r.stderr + r.stdout)) {
        throw new ProviderError(C.COMMAND_FAILED, `qdel exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
      }
    },
  };
}

export class GridEngineProvider extends BatchProvider {
  constructor(cfg: ProviderConfig, deps: ProviderDeps) {
    super(gridEngineSpec(), cfg, deps);
  }
}
