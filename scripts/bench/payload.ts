/**
 * 3. Payload: tasks each taking and returning 100 KiB (a Uint8Array echoed by the worker); tasks/s and MB/s
 * one way (task bytes only, 1 MB = 10^6 bytes).
 */
import os from "node:os";
import { Endpoint, cpuDelta, faultsDelta, medianCpu, report, snapshot, type BenchContext } from "./lib.ts";

const CORES = os.availableParallelism();

function echo(b: Uint8Array): Uint8Array {
  return b;
}

export async function payload(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 400 : 2000;
  const size = 100 * 1024;
  const buf = new Uint8Array(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 7919) & 0xff;
  const ep = await Endpoint.start({ executor: { max_workers: 2 }, provider: { init_blocks: 1 } });
  try {
    await ep.waitWorkers(2);
    const ex = await ep.client();
    const check = await ex.submit(echo, buf);
    if (!(check instanceof Uint8Array) || check.length !== size || check[12345] !== buf[12345]) throw new Error("payload echo came back wrong");
    await Promise.all(Array.from({ length: 200 }, () => ex.submit(echo, buf)));
    const rates: number[] = [];
    const mbs: number[] = [];
    const cpus: Record<string, number>[] = [];
    const faults: Record<string, number>[] = [];
    for (let r = 0; r < ctx.repeat; r++) {
      const before = snapshot([ep.pid]);
      const t0 = performance.now();
      const all: Promise<Uint8Array>[] = new Array(n);
      for (let i = 0; i < n; i++) all[i] = ex.submit(echo, buf);
      await Promise.all(all);
      const s = (performance.now() - t0) / 1000;
      const after = snapshot([ep.pid]);
      cpus.push(cpuDelta(before, after));
      faults.push(faultsDelta(before, after));
      rates.push(n / s);
      mbs.push((n * size) / s / 1e6);
    }
    const cpu = medianCpu(cpus);
    const perTask = cpus.map((c) => (Object.values(c).reduce((a, b) => a + b, 0) / n) * 1e6);
    report({ bench: "payload", figure: `${n} tasks × 100 KiB in and out, 2 workers`, unit: "tasks/s", runs: rates, cpu, extra: { n, bytes: size } });
    report({ bench: "payload", figure: `${n} tasks × 100 KiB, one way`, unit: "MB/s", runs: mbs, target: "≥ 600" });
    report({ bench: "payload", figure: `CPU per task, all processes`, unit: "µs", runs: perTask });
    const perRole = Object.fromEntries(Object.entries(medianCpu(faults)).filter(([role]) => role !== "bash").map(([role, f]) => [role, +(f / n).toFixed(1)]));
    report({ bench: "payload", figure: `page faults per task, all processes`, unit: "", runs: faults.map((f) => Object.values(f).reduce((a, b) => a + b, 0) / n), extra: { per_role: perRole } });
    report({ bench: "payload", figure: `MB/s one way the CPU per task allows on ${CORES} free cores`, unit: "MB/s", runs: perTask.map((us) => ((CORES * 1e6) / us) * size / 1e6) });
    await ex.shutdown();
  } finally {
    await ep.stop();
  }
}
