/**
 * Entry of scripts/bench/run: runs the named benchmarks (all by default) against the compiled dist/fx and
 * prints one JSON line per figure, then a table.
 *   scripts/bench/run [--quick] [--repeat N] [NAME…]     NAME: noop latency payload queue startup managers shell hop
 */
import { parseArgs } from "node:util";
import { printTable, type BenchContext } from "./lib.ts";
import { hop } from "./hop.ts";
import { latency } from "./latency.ts";
import { manyManagers } from "./managers.ts";
import { noopThroughput } from "./noop.ts";
import { payload } from "./payload.ts";
import { queueMemory } from "./queue.ts";
import { shellTasks } from "./shell.ts";
import { startup } from "./startup.ts";

const BENCHES: Record<string, (ctx: BenchContext) => Promise<void>> = {
  noop: noopThroughput,
  latency,
  payload,
  queue: queueMemory,
  startup,
  managers: manyManagers,
  shell: shellTasks,
  hop,
};

function args() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { quick: { type: "boolean", default: false }, repeat: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    });
  } catch (err) {
    console.error(`bench: ${(err as Error).message} (see --help)`);
    process.exit(2);
  }
}
const { values, positionals } = args();
if (values.help) {
  console.log(`usage: scripts/bench/run [--quick] [--repeat N] [NAME…]\n  NAME: ${Object.keys(BENCHES).join(" ")} (default: all)\n  docs/performance.md explains each figure.`);
  process.exit(0);
}
if (values.repeat !== undefined && !(Number(values.repeat) >= 1)) {
  console.error(`bench: --repeat needs a number ≥ 1, got ${JSON.stringify(values.repeat)}`);
  process.exit(2);
}
const names = positionals.length > 0 ? positionals : Object.keys(BENCHES);
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark(s) ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(" ")}`);
  process.exit(2);
}
const ctx: BenchContext = { quick: values.quick ?? false, repeat: Number(values.repeat ?? (values.quick ? 1 : 3)) };
let failed = 0;
for (const name of names) {
  try {
    await BENCHES[name]!(ctx);
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed: ${(err as Error).stack ?? err}`);
  }
}
printTable();
process.exit(failed > 0 ? 1 : 0);
