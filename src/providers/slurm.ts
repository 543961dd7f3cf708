/**
 * Slurm: sbatch --parsable / squeue (one call for many jobs, finished jobs included while slurmctld
 * keeps them) / scancel. Jobs squeue no longer lists are looked up with sacct when accounting is on,
 * else with `scontrol -o show job`; what neither knows is reported per what is knowable (batch.ts).
 *
 * Directives: job name, output files, nodes_per_block, tasks per node, walltime, and when set:
 * partition, account, qos, constraint, exclusive, mem_per_node (GB), cores_per_node
 * (→ --cpus-per-task = cores_per_node / tasks per node); scheduler_options lines are appended as-is.
 */
import type { ProviderConfig } from "../config/schema.ts";
import { BatchProvider, optionLines, type Run, type SchedulerSpec, type ScriptContext } from "./batch.ts";
import type { ProviderDeps } from "./deps.ts";
import type { JobStatus } from "./provider.ts";
import { ProviderError, PROVIDER_ERROR_CODES } from "./errors.ts";
import { SQUEUE_FIELDS, parseSacct, parseSbatchJobId, parseScontrolJobs, parseSqueue } from "./slurm-parse.ts";
import { formatWalltime, parseWalltime } from "./walltime.ts";

export const SLURM_HEADER = `#!/bin/bash
#SBATCH --job-name=\${job_name}
#SBATCH --output=\${stdout}
#SBATCH --error=\${stderr}
#SBATCH --nodes=\${nodes}
#SBATCH --ntasks-per-node=\${tasks_per_node}
#SBATCH --time=\${walltime}
\${directives}`;

export function slurmDirectives(cfg: ProviderConfig, tasksPerNode: number): string {
  const d: string[] = [];
  if (cfg.partition) d.push(`#SBATCH --partition=${cfg.partition}`);
  if (cfg.account) d.push(`#SBATCH --account=${cfg.account}`);
  if (cfg.qos) d.push(`#SBATCH --qos=${cfg.qos}`);
  if (cfg.constraint) d.push(`#SBATCH --constraint=${cfg.constraint}`);
  if (cfg.exclusive) d.push("#SBATCH --exclusive");
  if (cfg.mem_per_node !== null) d.push(`#SBATCH --mem=${cfg.mem_per_node}g`);
  if (cfg.cores_per_node !== null) d.push(`#SBATCH --cpus-per-task=${Math.max(1, Math.floor(cfg.cores_per_node / tasksPerNode))}`);
  const extra = optionLines(cfg.scheduler_options);
  if (extra) d.push(extra);
  return d.join("\n");
}

function missingFrom(ids: readonly string[], known: Map<string, JobStatus>): string[] {
  return ids.filter((id) => !known.has(id));
}

export function slurmSpec(): SchedulerSpec {
  let sacctWorks: boolean | null = null;
  return {
    type: "slurm",
    header: SLURM_HEADER,
    headerValues: (ctx: ScriptContext) => ({
      job_name: ctx.jobName,
      stdout: ctx.stdoutPath,
      stderr: ctx.stderrPath,
      nodes: ctx.cfg.nodes_per_block,
      tasks_per_node: ctx.tasksPerNode,
      walltime: formatWalltime(parseWalltime(ctx.cfg.walltime)),
      directives: slurmDirectives(ctx.cfg, ctx.tasksPerNode),
    }),
    submitArgv: (ctx) => ["sbatch", "--parsable", ctx.scriptPath],
    parseSubmit: parseSbatchJobId,
    async queryStatus(ids: readonly string[], run: Run) {
      const q = await run(["squeue", "--noheader", "--states=all", `--jobs=${ids.join(",")}`, `--Format=${SQUEUE_FIELDS}`], { allowFailure: true });
      // squeue exits 1 with "Invalid job id specified" when it knows none of the ids.
      if (q.exitCode !== 0 && !/invalid job id/i.test(q.stderr)) {
        throw new ProviderError(PROVIDER_ERROR_CODES.COMMAND_FAILED, `squeue exited ${q.exitCode}: ${q.stderr.trim() || q.stdout.trim()}`);
      }
      const known = q.exitCode === 0 ? parseSqueue(q.stdout) : new Map<string, JobStatus>();
      let missing = missingFrom(ids, known);
      if (missing.length > 0 && sacctWorks !== false) {
        const a = await run(["sacct", "--noheader", "--parsable2", "--allocations", `--jobs=${missing.join(",")}`, "--format=JobID,State,ExitCode"], { allowFailure: true }).catch(() => null);
        sacctWorks = a !== null && a.exitCode === 0;
        if (a && sacctWorks) for (const [id, st] of parseSacct(a.stdout)) if (missing.includes(id)) known.set(id, st);
        missing = missingFrom(ids, known);
      }
      if (missing.length > 0) {
        const s = await run(["scontrol", "--oneliner", "show", "job"], { allowFailure: true }).catch(() => null);
        if (s && s.exitCode === 0) for (const [id, st] of parseScontrolJobs(s.stdout)) if (missing.includes(id)) known.set(id, st);
      }
      return known;
    },
    async cancel(ids: readonly string[], run: Run) {
      // scancel is quiet and exits 0 for jobs that already ended or that it does not know.
      await run(["scancel", ...ids]);
    },
  };
}

export class SlurmProvider extends BatchProvider {
  constructor(cfg: ProviderConfig, deps: ProviderDeps) {
    super(slurmSpec(), cfg, deps);
  }
}
