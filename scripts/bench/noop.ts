/**
 * 1. No-op throughput: N no-op function tasks submitted as fast as the client can, one manager with 2 and with
 * 4 workers (started by the interchange's local provider); tasks/s from the first submit to the last result.
 */
import os from "node:os";
import { Endpoint, cpuDelta, medianCpu, noop, report, snapshot, type BenchContext } from "./lib.ts";

const CORES = os.availableParallelism();

export async function noopThroughput(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 10_000 : 100_000;
  for (const workers of [2, 4]) {
    const ep = await Endpoint.start({ executor: { max_workers: workers, cores_per_worker: 2 / workers }, provider: { init_blocks: 1 } });
    try {
      await ep.waitWorkers(workers);
      const ex = await ep.client();
      await Promise.all(Array.from({ length: 2000 }, () => ex.submit(noop))); // warm-up: workers compile the function once
      const rates: number[] = [];
      const cpus: Record<string, number>[] = [];
      for (let r = 0; r < ctx.repeat; r++) {
        const before = snapshot([ep.pid]);
        const t0 = performance.now();
        const all: Promise<number>[] = new Array(n);
        for (let i = 0; i < n; i++) all[i] = ex.submit(noop);
        await Promise.all(all);
        const s = (performance.now() - t0) / 1000;
        cpus.push(cpuDelta(before, snapshot([ep.pid])));
        rates.push(n / s);
      }
      const cpu = medianCpu(cpus);
      const perTask = cpus.map((c) => (Object.values(c).reduce((a, b) => a + b, 0) / n) * 1e6);
      report({
        bench: "noop", figure: `${n} no-ops, 1 manager, ${workers} workers`, unit: "tasks/s", runs: rates,
        target: workers === 2 ? "≥ 100000" : undefined, cpu,
        extra: { n, workers, cpu_us_per_task: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, +((v / n) * 1e6).toFixed(2)])) },
      });
      // CPU is steadier than wall time on a shared box: what the whole pipeline costs per task, and the rate
      // that cost allows when nothing else runs on the machine's cores
      report({ bench: "noop", figure: `CPU per task, all processes, ${workers} workers`, unit: "µs", runs: perTask });
      report({ bench: "noop", figure: `rate the CPU per task allows on ${CORES} free cores, ${workers} workers`, unit: "tasks/s", runs: perTask.map((us) => (CORES * 1e6) / us) });
      await ex.shutdown();
    } finally {
      await ep.stop();
    }
  }
}
