/**
 * Container overheads through the whole pipeline (executor library ↔ dist/fx interchange → manager → workers):
 *   cold: first task of an image (container start + worker registration + one task), fresh endpoint each time
 *   warm: sequential round trips of a no-op shell task on a reused worker, no_container vs podman_reuse
 *   single use: sequential tasks in podman_single_use (a container start per task)
 * Prints one JSON line per figure and a table. Noisy on a shared machine: say so when quoting.
 *   bun scripts/bench/containers-pipeline.ts [--cold 5] [--warm 200] [--image localhost/fx-test-a:latest]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { HighThroughputExecutor } from "../../src/index.ts";

const { values: a } = parseArgs({ options: { cold: { type: "string", default: "5" }, warm: { type: "string", default: "200" }, image: { type: "string", default: "localhost/fx-test-a:latest" } } });
const FX = path.resolve(import.meta.dir, "../../dist/fx");
const rows: string[][] = [];

function report(figure: string, xs: number[]): void {
  const s = [...xs].sort((x, y) => x - y);
  const med = s[Math.floor(s.length / 2)]!;
  console.log(JSON.stringify({ figure, n: xs.length, median_ms: +med.toFixed(2), min_ms: +s[0]!.toFixed(2), max_ms: +s.at(-1)!.toFixed(2) }));
  rows.push([figure, med.toFixed(2), s[0]!.toFixed(2), s.at(-1)!.toFixed(2)]);
}

async function withEndpoint<T>(mode: string, f: (ex: HighThroughputExecutor) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-bench-ctr-"));
  const ex = new HighThroughputExecutor({
    executor: { worker_mode: mode, scheduler_mode: "soft", max_workers: 1, heartbeat_period: 1, heartbeat_threshold: 5 },
    provider: { init_blocks: 1, max_blocks: 1 }, logging: { logdir: path.join(dir, "logs"), level: "warn" },
  }, { fxCommand: [FX] });
  try {
    await ex.start();
    return await f(ex);
  } finally {
    await ex.shutdown().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const image = a.image!;
const cold: number[] = [];
for (let i = 0; i < Number(a.cold); i++) {
  await withEndpoint("podman_reuse", async (ex) => {
    await ex.submitShell(["true"]); // the endpoint is up and a plain worker answers
    const t0 = performance.now();
    await ex.with({ container: image }).submitShell(["/bin/true"]);
    cold.push(performance.now() - t0);
  });
}
report("cold: first task in a new podman container", cold);

for (const [mode, opts] of [["no_container", {}], ["podman_reuse", { container: image }]] as const) {
  const xs = await withEndpoint(mode, async (ex) => {
    const sub = ex.with(opts);
    for (let i = 0; i < 10; i++) await sub.submitShell(["/bin/true"]);
    const out: number[] = [];
    for (let i = 0; i < Number(a.warm); i++) {
      const t0 = performance.now();
      await sub.submitShell(["/bin/true"]);
      out.push(performance.now() - t0);
    }
    return out;
  });
  report(`warm: shell /bin/true round trip, ${mode}`, xs);
}
{
  const xs = await withEndpoint("podman_single_use", async (ex) => {
    const sub = ex.with({ container: image });
    await sub.submitShell(["/bin/true"]);
    const out: number[] = [];
    for (let i = 0; i < Math.max(5, Math.floor(Number(a.warm) / 20)); i++) {
      const t0 = performance.now();
      await sub.submitShell(["/bin/true"]);
      out.push(performance.now() - t0);
    }
    return out;
  });
  report("single use: /bin/true, fresh container per task", xs);
}
console.log(`\n${"figure".padEnd(48)} ${"median ms".padStart(10)} ${"min".padStart(8)} ${"max".padStart(8)}`);
for (const r of rows) console.log(`${r[0]!.padEnd(48)} ${r[1]!.padStart(10)} ${r[2]!.padStart(8)} ${r[3]!.padStart(8)}`);
