/**
 * 6. Many managers: 10, 100 and 1,000 simulated managers (sim-manager.ts, at most 250 per process, the real
 * protocol over our ZMTP) on one dist/fx interchange; N no-op tasks spread over them. Tasks/s and the
 * interchange's CPU per task, to see how its cost grows with the number of managers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Endpoint, cpuDelta, medianCpu, noop, report, sample, snapshot, type BenchContext } from "./lib.ts";

const PER_PROCESS = 250;
const CAPACITY = 4;

function startSims(ep: Endpoint, managers: number): { procs: ChildProcess[]; ready: Promise<void> } {
  const procs: ChildProcess[] = [];
  const readies: Promise<void>[] = [];
  for (let first = 0; first < managers; first += PER_PROCESS) {
    const count = Math.min(PER_PROCESS, managers - first);
    const p = spawn(process.execPath, [path.join(import.meta.dir, "sim-manager.ts"), ep.info.task_url, ep.info.result_url, String(count), String(CAPACITY), `sim${first}`], { stdio: ["pipe", "pipe", "inherit"] });
    procs.push(p);
    p.stdout!.setEncoding("utf8");
    readies.push(new Promise((resolve, reject) => {
      p.stdout!.on("data", (s: string) => s.includes("registered") && resolve());
      p.once("exit", (code) => reject(new Error(`sim-manager exited (${code}) before registering`)));
    }));
  }
  return { procs, ready: Promise.all(readies).then(() => undefined) };
}

export async function manyManagers(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 20_000 : 100_000;
  for (const managers of ctx.quick ? [10, 100] : [10, 100, 1000]) {
    const ep = await Endpoint.start({ executor: { heartbeat_period: 60, heartbeat_threshold: 600 }, provider: { max_blocks: 0 } });
    const sims = startSims(ep, managers);
    try {
      await Promise.race([sims.ready, Bun.sleep(120_000).then(() => { throw new Error(`${managers} sim managers did not register in 120 s`); })]);
      const rssMiB = +((sample(ep.pid)?.rssBytes ?? 0) / 2 ** 20).toFixed(1);
      const ex = await ep.client();
      await Promise.all(Array.from({ length: Math.min(n, 20 * managers * CAPACITY) }, () => ex.submit(noop)));
      const roots = [ep.pid, ...sims.procs.map((p) => p.pid!)];
      const rates: number[] = [];
      const perTask: number[] = [];
      const cpus: Record<string, number>[] = [];
      for (let r = 0; r < ctx.repeat; r++) {
        const before = snapshot(roots);
        const t0 = performance.now();
        const all: Promise<number>[] = new Array(n);
        for (let i = 0; i < n; i++) all[i] = ex.submit(noop);
        await Promise.all(all);
        const s = (performance.now() - t0) / 1000;
        const d = cpuDelta(before, snapshot(roots));
        cpus.push(d);
        rates.push(n / s);
        perTask.push(((d.interchange ?? 0) / n) * 1e6);
      }
      const cpu = medianCpu(cpus);
      report({ bench: "managers", figure: `${n} no-ops over ${managers} sim managers (capacity ${CAPACITY} each)`, unit: "tasks/s", runs: rates, cpu, extra: { n, managers, interchange_rss_mib_registered: rssMiB } });
      report({ bench: "managers", figure: `interchange CPU per task, ${managers} managers`, unit: "µs", runs: perTask, target: "flat (≤ 1.5× of 10)", extra: { managers } });
      await ex.shutdown();
    } finally {
      for (const p of sims.procs) p.stdin!.end();
      await Bun.sleep(300);
      for (const p of sims.procs) p.kill("SIGKILL");
      await ep.stop();
    }
  }
}
