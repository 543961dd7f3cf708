/**
 * 2. Latency: sequential round trips of a no-op (submit → result) through interchange, manager and worker;
 * p50 and p99 in ms. First on fresh processes (right after start-up), then in the steady state an endpoint
 * spends its life in: after WARM_TRIPS more round trips, when JavaScriptCore's JIT threads have finished
 * compiling the hot paths (while they compile they compete for the 2 vCPUs and delay wakeups: docs/performance.md).
 * Then the same while a second client process keeps no-ops in flight (concurrent load).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Endpoint, cpuDelta, medianCpu, noop, percentile, report, snapshot, type BenchContext } from "./lib.ts";

async function roundTrips(ex: Awaited<ReturnType<Endpoint["client"]>>, n: number): Promise<number[]> {
  const xs: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await ex.submit(noop);
    xs[i] = performance.now() - t0;
  }
  return xs.sort((a, b) => a - b);
}

/** Sequential round trips between the fresh figure and the steady-state ones (FX_BENCH_WARM_TRIPS overrides). */
const WARM_TRIPS = Number(process.env.FX_BENCH_WARM_TRIPS ?? 50_000);
/** The paced load: no-ops per second from a second client, about a sixth of what 2 workers do (FX_BENCH_PACED_RATE). */
const pacedRate = Number(process.env.FX_BENCH_PACED_RATE ?? 10_000);

export async function latency(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 200 : 1000;
  const warmTrips = ctx.quick ? Math.min(WARM_TRIPS, 2_000) : WARM_TRIPS;
  const loadInflight = 64;
  const ep = await Endpoint.start({ executor: { max_workers: 2 }, provider: { init_blocks: 1 } });
  try {
    await ep.waitWorkers(2);
    const ex = await ep.client();
    await Promise.all(Array.from({ length: 500 }, () => ex.submit(noop)));
    await roundTrips(ex, 100);
    const fresh = await roundTrips(ex, n);
    report({ bench: "latency", figure: `p50 of ${n} sequential no-ops, idle, fresh processes`, unit: "ms", runs: [percentile(fresh, 50)] });
    report({ bench: "latency", figure: `p99 of ${n} sequential no-ops, idle, fresh processes`, unit: "ms", runs: [percentile(fresh, 99)] });
    const tw = performance.now();
    await roundTrips(ex, warmTrips);
    const warmS = (performance.now() - tw) / 1000;
    // idle; a paced concurrent load well below capacity (open loop); a saturating one (closed loop, 64 in flight)
    for (const scenario of ["idle", "paced", "saturating"] as const) {
      const loaded = scenario !== "idle";
      let load: ReturnType<typeof spawn> | null = null;
      let loadOut = "";
      if (loaded) {
        const args = [path.join(import.meta.dir, "load-client.ts"), ep.info.client.tasks, ep.info.client.commands, String(loadInflight)];
        if (scenario === "paced") args.push(String(pacedRate));
        load = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
        load.stdout!.setEncoding("utf8");
        await new Promise<void>((resolve, reject) => {
          load!.stdout!.on("data", (s: string) => { loadOut += s; if (loadOut.includes("ready")) resolve(); });
          load!.once("exit", (code) => reject(new Error(`load client exited (${code}) before it was ready`)));
        });
        await Bun.sleep(300); // let the load reach a steady state
      }
      const p50: number[] = [];
      const p99: number[] = [];
      const cpus: Record<string, number>[] = [];
      for (let r = 0; r < ctx.repeat; r++) {
        const before = snapshot([ep.pid]);
        const xs = await roundTrips(ex, n);
        cpus.push(cpuDelta(before, snapshot([ep.pid])));
        p50.push(percentile(xs, 50));
        p99.push(percentile(xs, 99));
      }
      let loadRate: number | undefined;
      if (load) {
        const exited = new Promise((r) => load!.once("exit", r));
        load.stdin!.end();
        await Promise.race([exited, Bun.sleep(10_000)]);
        load.kill("SIGKILL");
        const last = loadOut.trim().split("\n").pop()!;
        try {
          const o = JSON.parse(last) as { done: number; seconds: number };
          loadRate = Math.round(o.done / o.seconds);
        } catch {
          // no summary: leave it out
        }
      }
      const what = scenario === "idle" ? "idle"
        : scenario === "paced" ? `under a paced load (a 2nd client submitting ${pacedRate} no-ops/s${loadRate ? `, ~${loadRate} done/s` : ""})`
        : `under a saturating load (${loadInflight} no-ops in flight from a 2nd client${loadRate ? `, ~${loadRate} tasks/s` : ""})`;
      const tag = `${what}, after ${warmTrips} warm-up round trips`;
      const cpu = medianCpu(cpus);
      const target = scenario !== "saturating";
      report({ bench: "latency", figure: `p50 of ${n} sequential no-ops, ${tag}`, unit: "ms", runs: p50, target: target ? "≤ 0.25" : undefined, cpu, extra: { n, warm_trips: warmTrips, warm_s: Math.round(warmS * 10) / 10 } });
      report({ bench: "latency", figure: `p99 of ${n} sequential no-ops, ${tag}`, unit: "ms", runs: p99, target: target ? "≤ 1" : undefined });
    }
    await ex.shutdown();
  } finally {
    await ep.stop();
  }
}
