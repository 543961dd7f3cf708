/**
 * Diagnostic (not part of `run`): where in time the slow round trips of the latency bench fall. Runs N sequential
 * no-op round trips on a 1-manager, 2-worker endpoint and prints each trip over the threshold with its offset
 * from the start, then the gaps between slow trips — periodic gaps point at a timer, random ones at GC or the
 * machine. Usage: bun scripts/bench/slow-trips.ts [n=5000] [threshold_ms=1]
 */
import fs from "node:fs";
import path from "node:path";
import { Endpoint, noop } from "./lib.ts";

const n = Number(process.argv[2] ?? 5000);
const thr = Number(process.argv[3] ?? 1);
const ep = await Endpoint.start({ executor: { max_workers: 2 }, provider: { init_blocks: 1 } });
try {
  await ep.waitWorkers(2);
  const ex = await ep.client();
  await Promise.all(Array.from({ length: 500 }, () => ex.submit(noop)));
  const t00 = performance.now();
  const slow: [number, number][] = [];
  const all: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await ex.submit(noop);
    const dt = performance.now() - t0;
    all.push(dt);
    if (dt > thr) slow.push([t0 - t00, dt]);
  }
  all.sort((a, b) => a - b);
  const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))]!.toFixed(3);
  console.log(`n=${n} p50=${pct(50)} p90=${pct(90)} p99=${pct(99)} p99.9=${pct(99.9)} max=${all[all.length - 1]!.toFixed(3)} ms; ${slow.length} over ${thr} ms over ${((performance.now() - t00) / 1000).toFixed(2)} s`);
  console.log("offset_ms duration_ms gap_since_previous_slow_ms");
  let prev = 0;
  for (const [at, d] of slow) {
    console.log(at.toFixed(1), d.toFixed(3), (at - prev).toFixed(1));
    prev = at;
  }
  await ex.shutdown();
  // With BUN_JSC_logGC=1 in the environment: collections per block process (their stderr is in the block's files).
  if (process.env.BUN_JSC_logGC) {
    const dir = path.join((ep as unknown as { logdir: string }).logdir, "submit_scripts");
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!f.endsWith(".stderr")) continue;
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      console.log(`block stderr ${f}: ${(text.match(/END\]/g) ?? []).length} collections (manager and workers together)`);
    }
  }
} finally {
  await ep.stop();
}
