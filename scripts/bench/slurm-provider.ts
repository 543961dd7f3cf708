/**
 * SlurmProvider against the local single-node Slurm (scripts/setup-test-env.d/slurm.sh): how long sbatch
 * takes per block, how long one status call for many jobs takes, and how long a trivial job takes from
 * submit to COMPLETED as seen by status polling. Standalone:
 *   $BUN scripts/bench/slurm-provider.ts [jobs=20]
 * Prints one JSON line per figure. Figures include slurmctld's scheduling cycle and are noisy on a shared box.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS } from "../../src/config/schema.ts";
import { SlurmProvider } from "../../src/providers/slurm.ts";
import { isTerminal } from "../../src/providers/provider.ts";

const n = Number(process.argv[2] ?? 20);
const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-bench-slurm-"));
const p = new SlurmProvider({ ...DEFAULTS.provider, type: "slurm", walltime: "00:05:00" }, { logdir });
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const figure = (name: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ bench: "slurm-provider", name, value, unit, ...extra }));

try {
  const ids: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) ids.push(await p.submit(["/bin/true"], 1, `fx-bench-${i}`));
  const submitted = performance.now();
  figure("sbatch per block", Math.round(((submitted - t0) / n) * 10) / 10, "ms", { jobs: n });
  const ts = performance.now();
  await p.status(ids);
  figure("status call for all jobs (one squeue)", ms(ts), "ms", { jobs: n });
  for (;;) {
    const m = await p.status(ids);
    if ([...m.values()].every((s) => isTerminal(s.state))) break;
    await Bun.sleep(100);
  }
  figure("submit of the first → all COMPLETED", ms(t0), "ms", { jobs: n });
} finally {
  fs.rmSync(logdir, { recursive: true, force: true });
}
