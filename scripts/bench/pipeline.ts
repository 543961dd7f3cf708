/**
 * End-to-end no-op throughput and round-trip latency: this process's executor → dist/fx interchange → local
 * manager → workers, and back. Prints figures; asserts nothing.
 *   $BUN scripts/bench/pipeline.ts [tasks=100000] [workers=2] [latency-samples=500]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HighThroughputExecutor } from "../../src/index.ts";

const N = Number(process.argv[2] ?? 100_000);
const WORKERS = Number(process.argv[3] ?? 2);
const SAMPLES = Number(process.argv[4] ?? 500);
const DIST = path.resolve(import.meta.dir, "../../dist/fx");
if (!fs.existsSync(DIST)) throw new Error("build dist/fx first (bash scripts/build)");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-bench-"));

const ex = new HighThroughputExecutor(
  { executor: { max_workers: WORKERS, prefetch: 0 }, provider: { init_blocks: 1, max_blocks: 1 }, logging: { logdir: dir, level: "warn" } },
  { fxCommand: [DIST] },
);
const t0 = performance.now();
await ex.start();
await ex.submit(() => 0); // first task: waits for the manager to register
console.log(`start-up (interchange + block + first result): ${(performance.now() - t0).toFixed(0)} ms; ${os.cpus().length} CPUs, ${WORKERS} workers`);

for (const round of [1, 2]) {
  const t = performance.now();
  const ps = new Array<Promise<number>>(N);
  for (let i = 0; i < N; i++) ps[i] = ex.submit((x: number) => x, i);
  const submitMs = performance.now() - t;
  const rs = await Promise.all(ps);
  const ms = performance.now() - t;
  const wrong = rs.reduce((w, v, i) => w + (v === i ? 0 : 1), 0);
  console.log(`round ${round}: ${N} no-op tasks in ${ms.toFixed(0)} ms → ${((N / ms) * 1000).toFixed(0)} tasks/s (submit loop ${submitMs.toFixed(0)} ms, wrong results: ${wrong})`);
}

const lat: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const t = performance.now();
  await ex.submit((x: number) => x, i);
  lat.push(performance.now() - t);
}
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(3);
console.log(`round-trip latency, one task at a time (${SAMPLES} samples): p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, min ${lat[0]!.toFixed(3)} ms`);
await ex.shutdown();
fs.rmSync(dir, { recursive: true, force: true });
