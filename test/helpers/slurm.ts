/** Whether a usable Slurm is here (scripts/setup-test-env.d/slurm.sh starts one), for tests to skip on. */
import { spawnSync } from "node:child_process";

export function slurmSkipReason(): string | null {
  const r = spawnSync("sinfo", ["--noheader", "--Node", "--format=%t"], { encoding: "utf8", timeout: 15_000 });
  if (r.error) return `Slurm tests skipped: sinfo not available (${r.error.message}); run scripts/setup-test-env.d/slurm.sh`;
  if (r.status !== 0) return `Slurm tests skipped: sinfo failed (${r.stderr.trim()}); run scripts/setup-test-env.d/slurm.sh`;
  if (!/\b(idle|mix|alloc)\b/.test(r.stdout)) return `Slurm tests skipped: no usable node (sinfo says ${JSON.stringify(r.stdout.trim())})`;
  return null;
}
