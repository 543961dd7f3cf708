/**
 * 5. Start-up: from HighThroughputExecutor.start() to all workers registered and the first result back.
 * start() spawns `dist/fx interchange` (the executor's `fxCommand`), whose local provider starts one block:
 * `dist/fx manager`, which starts its workers. Each repetition is a fresh executor and a fresh process tree.
 */
import fs from "node:fs";
import { HighThroughputExecutor } from "../../src/executor/executor.ts";
import { silentLogger } from "../../src/util/log.ts";
import { FX, noop, report, tempDir, type BenchContext } from "./lib.ts";

async function startupOnce(workers: number): Promise<Record<string, number>> {
  const dir = tempDir("startup");
  const ex = new HighThroughputExecutor({
    executor: { max_workers: workers, cores_per_worker: 2 / workers },
    provider: { init_blocks: 1, max_blocks: 1 },
    logging: { level: "warn", logdir: dir },
  }, { logger: silentLogger, fxCommand: [FX] });
  try {
    const t0 = performance.now();
    await ex.start();
    const started = performance.now() - t0;
    const first = ex.submit(noop).then(() => performance.now() - t0);
    let all = NaN;
    for (;;) {
      const w = await ex.connectedWorkers();
      if (w.workers >= workers) {
        all = performance.now() - t0;
        break;
      }
      await Bun.sleep(1);
    }
    const firstResult = await first;
    return { start_resolved_ms: started, first_result_ms: firstResult, all_workers_ms: all, total_ms: Math.max(firstResult, all) };
  } finally {
    await ex.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startup(ctx: BenchContext): Promise<void> {
  const reps = ctx.quick ? 2 : Math.max(5, ctx.repeat);
  const workers = 2;
  const rows: Record<string, number>[] = [];
  Bun.spawnSync([FX, "--version"]); // warm the page cache
  for (let r = 0; r < reps; r++) rows.push(await startupOnce(workers));
  const col = (k: string) => rows.map((x) => x[k]!);
  report({ bench: "startup", figure: `start() → ${workers} workers registered and first result`, unit: "ms", runs: col("total_ms"), target: "≤ 500", extra: { workers } });
  report({ bench: "startup", figure: `start() resolved (interchange ready, client connected)`, unit: "ms", runs: col("start_resolved_ms") });
  report({ bench: "startup", figure: `start() → first result`, unit: "ms", runs: col("first_result_ms") });
  report({ bench: "startup", figure: `start() → ${workers} workers registered`, unit: "ms", runs: col("all_workers_ms") });
}
