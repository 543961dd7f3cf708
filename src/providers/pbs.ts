/**
 * PBS Pro and Torque: `qsub -o <out> -e <err> <script>` / `qstat -f` (one call for many jobs; PBS Pro adds
 * -x to include finished jobs) / qdel. Both print the same `qstat -f` text layout ("Job Id: …" then
 * "key = value"); PBS Pro writes Exit_status, Torque exit_status. A job qstat no longer lists is answered
 * per what is knowable (batch.ts).
 *
 * The output files are given on qsub's command line as well as in the script: POSIX qsub options that
 * every PBS honours, and a command-line -o/-e wins over a directive everywhere, so a qsub that adds its
 * own default -o/-e (Slurm's Torque wrapper does) cannot send the job's output elsewhere.
 *
 * Tested against real Torque / PBS Pro output recorded on clusters (test/fixtures/schedulers/{pbs,torque}/recorded)
 * and against Slurm's Torque-compatible qsub/qstat/qdel (test/integration/providers/pbs-slurm-wrappers).
 *
 * Directives: name, output files, walltime, queue, account; nodes as
 *   pbs:    #PBS -l select=<nodes_per_block>:ncpus=<cores_per_node or tasks>:mpiprocs=<tasks per node>
 *   torque: #PBS -l nodes=<nodes_per_block>:ppn=<cores_per_node or tasks per node>
 * and scheduler_options lines as-is.
 */
import type { ProviderConfig } from "../config/schema.ts";
import { BatchProvider, optionLines, type Run, type SchedulerSpec, type ScriptContext } from "./batch.ts";
import type { ProviderDeps } from "./deps.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";
import { isTerminal, JobState, type JobStatus } from "./provider.ts";
import { formatWalltime, parseWalltime } from "./walltime.ts";

export type PbsFlavor = "pbs" | "torque";

const HEADER = `#!/bin/bash
#PBS -S /bin/bash
#PBS -N \${job_name}
#PBS -o \${stdout}
#PBS -e \${stderr}
#PBS -l walltime=\${walltime}
#PBS -l \${nodes}
\${directives}`;

export function pbsNodes(flavor: PbsFlavor, cfg: ProviderConfig, tasksPerNode: number): string {
  const cpus = cfg.cores_per_node ?? tasksPerNode;
  return flavor === "pbs"
    ? `select=${cfg.nodes_per_block}:ncpus=${cpus}:mpiprocs=${tasksPerNode}`
    : `nodes=${cfg.nodes_per_block}:ppn=${cpus}`;
}

function directives(cfg: ProviderConfig): string {
  const d: string[] = [];
  if (cfg.queue) d.push(`#PBS -q ${cfg.queue}`);
  if (cfg.account) d.push(`#PBS -A ${cfg.account}`);
  if (cfg.mem_per_node !== null) d.push(`#PBS -l mem=${cfg.mem_per_node}gb`);
  const extra = optionLines(cfg.scheduler_options);
  if (extra) d.push(extra);
  return d.join("\n");
}

/** PBS job states: Q H W T M S U → PENDING, R E B → RUNNING, F X C → ended (see exit status). */
const PBS_STATES: Readonly<Record<string, JobState>> = {
  Q: JobState.PENDING, H: JobState.PENDING, W: JobState.PENDING, T: JobState.PENDING, M: JobState.PENDING,
  S: JobState.PENDING, U: JobState.PENDING,
  R: JobState.RUNNING, E: JobState.RUNNING, B: JobState.RUNNING,
  F: JobState.COMPLETED, X: JobState.COMPLETED, C: JobState.COMPLETED,
};

/**
 * `qstat -f` text: records of "Job Id: <id>" then indented "key = value" lines. Long values wrap onto
 * lines starting with a tab. Real PBS/Torque indent keys with 4 spaces, so there a tab line is always a
 * continuation (even one that happens to hold " = "); a qstat that indents keys with a tab (Slurm's
 * wrapper) does not wrap. Lines at column 0 inside a record (a multi-line sched_hint) are skipped.
 */
export function parseQstatFull(stdout: string): Map<string, Map<string, string>> {
  const jobs = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | null = null;
  let lastKey: string | null = null;
  let tabKeys = false; // this record indents its keys with a tab
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const head = /^Job Id:\s*(\S+)/.exec(line);
    if (head) {
      cur = new Map();
      jobs.set(head[1]!, cur);
      lastKey = null;
      tabKeys = false;
      continue;
    }
    if (!cur) continue;
    const kv = /^(\s+)([A-Za-z_][\w.]*) = ?(.*)$/.exec(line);
    const isTab = line.startsWith("\t");
    if (kv && (!isTab || lastKey === null || tabKeys)) {
      if (lastKey === null) tabKeys = isTab;
      lastKey = kv[2]!.toLowerCase();
      cur.set(lastKey, kv[3]!);
    } else if (lastKey && isTab) {
      cur.set(lastKey, cur.get(lastKey)! + line.slice(1)); // a wrapped value continues after one tab
    }
  }
  for (const fields of jobs.values()) for (const [k, v] of fields) fields.set(k, v.trim());
  return jobs;
}

/**
 * One job's fields → JobStatus. Exit status ≥ 256 means killed by signal (status − 256). A finished job
 * with no exit status at all (deleted before it ran; Slurm's wrapper never prints one) is CANCELLED when
 * fx deleted it, else COMPLETED with a message saying the outcome is not reported.
 */
export function pbsJobStatus(f: ReadonlyMap<string, string>, deletedByUs = false): JobStatus {
  const code = (f.get("job_state") ?? "").trim();
  let state = PBS_STATES[code] ?? JobState.UNKNOWN;
  const comment = f.get("comment");
  const exitText = f.get("exit_status");
  const exit = exitText !== undefined && /^-?\d+$/.test(exitText) ? Number(exitText) : undefined;
  const bits: string[] = [];
  if (comment) bits.push(comment);
  if (state === JobState.COMPLETED && exit === undefined) {
    if (deletedByUs) state = JobState.CANCELLED;
    else bits.push(`job_state ${code} with no exit status: the scheduler does not say whether it succeeded`);
  }
  if (state === JobState.COMPLETED && exit !== undefined && exit !== 0) {
    // PBS Pro: JOB_EXEC_KILL_WALLTIME (-29), and a comment "job killed: walltime … exceeded limit …".
    if (exit === -29 || (comment && /walltime.*exceed|exceed.*walltime/i.test(comment))) state = JobState.TIMEOUT;
    else if (exit >= 256) { state = JobState.CANCELLED; bits.push(`killed by signal ${exit - 256}`); }
    else { state = JobState.FAILED; bits.push(exit < 0 ? `PBS could not run the job (Exit_status ${exit})` : `exit code ${exit}`); }
  }
  if (state === JobState.UNKNOWN) bits.push(`unrecognised job_state ${JSON.stringify(code)}`);
  const st: JobStatus = { state };
  return {
    ...st,
    ...(bits.length ? { message: bits.join("; ") } : {}),
    ...(exit !== undefined && exit >= 0 && exit < 256 && state !== JobState.RUNNING && state !== JobState.PENDING ? { exitCode: exit } : {}),
  };
}

/** The numeric part leads: "123.server" — qstat may print a longer host than qsub did. */
function sameJob(a: string, b: string): boolean {
  if (a === b) return true;
  const [na, ...ha] = a.split(".");
  const [nb, ...hb] = b.split(".");
  if (na !== nb) return false;
  const x = ha.join("."), y = hb.join(".");
  return x === "" || y === "" || x.startsWith(`${y}.`) || y.startsWith(`${x}.`);
}

export function parseQsubJobId(stdout: string): string {
  const id = stdout.trim().split(/\s+/).pop() ?? "";
  if (!/^\d+(\[\d*\])?(\.[\w.-]+)?$/.test(id)) throw new ProviderError(C.PARSE, `qsub printed no job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  return id;
}

/** qstat's exit code for "Unknown Job Id" (PBSE_UNKJOBID 15001, truncated to 8 bits) on PBS Pro and Torque. */
const QSTAT_UNKNOWN_JOB_EXIT = 153;

export function pbsSpec(flavor: PbsFlavor): SchedulerSpec {
  /** Jobs fx asked qdel to delete: a deleted job that ends with no exit status was cancelled. */
  const deleted = new Set<string>();

  async function query(ids: readonly string[], run: Run): Promise<Map<string, JobStatus>> {
    const argv = flavor === "pbs" ? ["qstat", "-f", "-x", ...ids] : ["qstat", "-f", ...ids];
    // qstat exits non-zero (153, "Unknown Job Id") when any id is unknown, yet still lists the others.
    const r = await run(argv, { allowFailure: true });
    const jobs = parseQstatFull(r.stdout);
    if (r.exitCode !== 0 && jobs.size === 0 && r.exitCode !== QSTAT_UNKNOWN_JOB_EXIT && !/unknown job id|job has finished/i.test(r.stderr)) {
      throw new ProviderError(C.COMMAND_FAILED, `qstat exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    const out = new Map<string, JobStatus>();
    for (const [qid, fields] of jobs) {
      const id = ids.find((i) => sameJob(i, qid));
      if (id) out.set(id, pbsJobStatus(fields, deleted.has(id)));
    }
    return out;
  }

  return {
    type: flavor,
    header: HEADER,
    headerValues: (ctx: ScriptContext) => ({
      job_name: ctx.jobName.slice(0, 15), // PBS limits job names to 15 characters on many sites
      stdout: ctx.stdoutPath,
      stderr: ctx.stderrPath,
      walltime: formatWalltime(parseWalltime(ctx.cfg.walltime)),
      nodes: pbsNodes(flavor, ctx.cfg, ctx.tasksPerNode),
      directives: directives(ctx.cfg),
    }),
    submitArgv: (ctx) => ["qsub", "-o", ctx.stdoutPath, "-e", ctx.stderrPath, ctx.scriptPath],
    parseSubmit: parseQsubJobId,
    queryStatus: query,
    async cancel(ids: readonly string[], run: Run) {
      for (const id of ids) deleted.add(id);
      const r = await run(["qdel", ...ids], { allowFailure: true });
      if (r.exitCode === 0 || /unknown job id|job has finished|invalid state|request invalid for state/i.test(r.stderr)) return;
      // Some qdel refuse finished jobs without a message we know (Slurm's wrapper exits 1 silently): a
      // refusal is fine when qstat says every job has ended or is gone; anything else is an error.
      const now = await query(ids, run).catch(() => null);
      if (now && ids.every((id) => { const st = now.get(id); return !st || isTerminal(st.state); })) return;
      throw new ProviderError(C.COMMAND_FAILED, `qdel exited ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim() || "(no message)"}`);
    },
  };
}

export class PbsProvider extends BatchProvider {
  constructor(cfg: ProviderConfig, deps: ProviderDeps, flavor: PbsFlavor = "pbs") {
    super(pbsSpec(flavor), cfg, deps);
  }
}
