/**
 * Manager + workers alone: a real `fx manager` (dist/fx, or `bun src/cli.ts` with --source) with N workers
 * against the test interchange of test/integration/manager (our ZMTP ROUTERs speaking the protocol), fed
 * no-op function tasks as fast as the manager's capacity requests allow. Prints tasks/s per run and the
 * median as JSON lines. The harness interchange shares the CPU with the manager and workers: on a 2-core box
 * shared with other work, figures are noisy — report them as such.
 *   bun scripts/bench/manager-throughput.ts [--tasks 300000] [--workers 2] [--runs 3] [--source]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { encode } from "../../src/protocol/codec.ts";
import { TestInterchange, until } from "../../test/integration/manager/test-interchange.ts";

const { values: a } = parseArgs({
  options: {
    tasks: { type: "string", default: "300000" },
    workers: { type: "string", default: "2" },
    runs: { type: "string", default: "3" },
    source: { type: "boolean", default: false },
  },
});
const N = Number(a.tasks);
const ROOT = path.resolve(import.meta.dir, "../..");
const fx = a.source ? [process.execPath, path.join(ROOT, "src/cli.ts")] : [path.join(ROOT, "dist/fx")];

async function once(): Promise<number> {
  const ix = new TestInterchange();
  const urls = await ix.start();
  const p = Bun.spawn([...fx, "manager", "--task-url", urls.taskUrl, "--result-url", urls.resultUrl, "--max-workers", a.workers!, "--logdir", ""], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await until(() => ix.capacity > 0, "the manager's first request", 30_000);
    const payload = encode({ kind: "fn", source: "() => null", hash: "noop", args: [] });
    const t0 = performance.now();
    ix.submitEncoded(payload, N);
    await until(() => ix.resultsById.size >= N, "every result", 600_000);
    return (N / (performance.now() - t0)) * 1000;
  } finally {
    p.kill("SIGKILL");
    await p.exited;
    await ix.close();
  }
}

const rates: number[] = [];
for (let i = 0; i < Number(a.runs); i++) {
  const r = await once();
  rates.push(r);
  console.log(JSON.stringify({ bench: "manager-throughput", run: i + 1, tasks: N, workers: Number(a.workers), binary: a.source ? "bun src/cli.ts" : "dist/fx", tasks_per_s: Math.round(r) }));
}
const sorted = [...rates].sort((x, y) => x - y);
console.log(JSON.stringify({ bench: "manager-throughput", median_tasks_per_s: Math.round(sorted[Math.floor(sorted.length / 2)]!) }));
