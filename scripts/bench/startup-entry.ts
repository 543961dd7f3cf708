/**
 * Entry of the start-up benchmark's binary: fx's own CLI (every role, as in dist/fx) plus one extra mode,
 * `__bench_startup WORKERS`, that times HighThroughputExecutor.start(). Compiled like dist/fx (see startup.ts)
 * so the interchange, manager and workers that start() spawns are compiled roles re-executing this binary,
 * exactly as a compiled program using the library would. Prints one JSON line of milestones (ms since start()).
 */
import { runCli } from "../../src/cli.ts";
import { HighThroughputExecutor } from "../../src/executor/executor.ts";

async function startupOnce(workers: number): Promise<number> {
  const ex = new HighThroughputExecutor({
    executor: { max_workers: workers, cores_per_worker: 2 / workers },
    provider: { init_blocks: 1, max_blocks: 1 },
    logging: { level: "warn", logdir: process.env.FX_BENCH_LOGDIR ?? "fx_logs" },
  });
  const t0 = performance.now();
  await ex.start();
  const started = performance.now() - t0;
  const first = ex.submit(() => 0).then(() => performance.now() - t0);
  let all = NaN;
  for (;;) {
    const w = await ex.connectedWorkers();
    if (w.workers >= workers) {
      all = performance.now() - t0;
      break;
    }
    await Bun.sleep(2);
  }
  const firstResult = await first;
  console.log(JSON.stringify({ start_resolved_ms: started, first_result_ms: firstResult, all_workers_ms: all, total_ms: Math.max(firstResult, all) }));
  await ex.shutdown();
  return 0;
}

const argv = process.argv.slice(2);
const main = argv[0] === "__bench_startup" ? startupOnce(Number(argv[1] ?? 2)) : runCli(argv);
main.then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
