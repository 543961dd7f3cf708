/**
 * Container start-up overheads: how long `fx --version` takes bare, in podman (bind-mounted, the argv of
 * containerWorkerArgv), and in apptainer when installed. Prints one JSON line per figure and a table.
 * Spawn → exit of a trivial command is the floor of a container worker's cold start (the worker's own
 * registration adds what a bare worker needs). Figures on a shared machine are noisy: report them as such.
 *   bun scripts/bench/containers.ts [--n 10] [--image localhost/fx-test-a:latest]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { containerName, containerWorkerArgv } from "../../src/containers/runtime.ts";

const { values: a } = parseArgs({ options: { n: { type: "string", default: "10" }, image: { type: "string", default: "localhost/fx-test-a:latest" }, sif: { type: "string" } } });
const N = Number(a.n);
const FX = path.resolve(import.meta.dir, "../../dist/fx");

async function timeRun(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const p = Bun.spawn(argv, { stdout: "ignore", stderr: "pipe", stdin: "ignore" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
  return performance.now() - t0;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((x, y) => x - y);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}

async function measure(label: string, make: (i: number) => string[]): Promise<void> {
  await timeRun(make(-1)); // warm the page cache once
  const xs: number[] = [];
  for (let i = 0; i < N; i++) xs.push(await timeRun(make(i)));
  const s = stats(xs);
  console.log(JSON.stringify({ figure: label, n: N, median_ms: +s.median.toFixed(1), min_ms: +s.min.toFixed(1), max_ms: +s.max.toFixed(1) }));
  rows.push([label, s.median.toFixed(1), s.min.toFixed(1), s.max.toFixed(1)]);
}

const rows: string[][] = [];
await measure("bare: fx --version", () => [FX, "--version"]);
if (Bun.which("podman")) {
  for (const mode of ["podman_reuse", "podman_single_use"] as const) {
    await measure(`${mode}: podman run … fx --version`, (i) => containerWorkerArgv({
      mode, image: a.image!, workerArgv: ["--version"], fxBinaryPath: FX, name: containerName("fx-bench", String(process.pid), String(i + 1)),
    }));
  }
}
const appt = Bun.which("apptainer") ?? Bun.which("singularity");
if (appt && a.sif) {
  await measure(`apptainer_reuse: apptainer exec … fx --version`, () => containerWorkerArgv({
    mode: "apptainer_reuse", image: a.sif!, workerArgv: ["--version"], fxBinaryPath: FX,
  }));
}
console.log(`\n${"figure".padEnd(50)} ${"median ms".padStart(10)} ${"min".padStart(8)} ${"max".padStart(8)}`);
for (const r of rows) console.log(`${r[0]!.padEnd(50)} ${r[1]!.padStart(10)} ${r[2]!.padStart(8)} ${r[3]!.padStart(8)}`);
