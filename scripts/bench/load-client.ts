/**
 * Background load for the latency benchmark: a separate client process that keeps `inflight` no-op tasks
 * outstanding on an endpoint until stdin closes, then prints how many it completed as one JSON line.
 *   bun scripts/bench/load-client.ts TASKS_URL COMMANDS_URL INFLIGHT
 */
import { HighThroughputExecutor } from "../../src/executor/executor.ts";
import { silentLogger } from "../../src/util/log.ts";
import { noop } from "./lib.ts";

const [tasks, commands, inflightArg] = process.argv.slice(2);
if (!tasks || !commands || !inflightArg) {
  console.error("usage: load-client.ts TASKS_URL COMMANDS_URL INFLIGHT");
  process.exit(2);
}
const inflight = Number(inflightArg);
const ex = new HighThroughputExecutor({ executor: { heartbeat_threshold: 120 } }, { logger: silentLogger });
await ex.connect({ tasks, results: tasks, commands });
let stop = false;
let done = 0;
const t0 = performance.now();
process.stdin.on("data", () => {});
process.stdin.on("end", () => (stop = true));
const lane = async () => {
  while (!stop) {
    await ex.submit(noop);
    done++;
  }
};
console.log(JSON.stringify({ ready: true }));
await Promise.all(Array.from({ length: inflight }, lane));
console.log(JSON.stringify({ done, seconds: (performance.now() - t0) / 1000 }));
await ex.shutdown();
process.exit(0);
