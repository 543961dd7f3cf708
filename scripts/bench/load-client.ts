/**
 * Background load for the latency benchmark: a separate client process that, until stdin closes, either keeps
 * `INFLIGHT` no-op tasks outstanding (closed loop: as fast as the endpoint goes, i.e. saturating it), or with
 * `RATE` submits no-ops at that many per second whatever their latency (open loop, paced every millisecond);
 * then prints how many it completed as one JSON line.
 *   bun scripts/bench/load-client.ts TASKS_URL COMMANDS_URL INFLIGHT [RATE]
 */
import { HighThroughputExecutor } from "../../src/executor/executor.ts";
import { silentLogger } from "../../src/util/log.ts";
import { noop } from "./lib.ts";

const [tasks, commands, inflightArg, rateArg] = process.argv.slice(2);
if (!tasks || !commands || !inflightArg) {
  console.error("usage: load-client.ts TASKS_URL COMMANDS_URL INFLIGHT [RATE]");
  process.exit(2);
}
const inflight = Number(inflightArg);
const rate = rateArg === undefined ? 0 : Number(rateArg);
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
/** Open loop: at every millisecond tick, submit what is due by now (never waiting for results). */
const paced = async () => {
  const start = performance.now();
  let sent = 0;
  const outstanding = new Set<Promise<unknown>>();
  while (!stop) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; sent < due; sent++) {
      const p = ex.submit(noop).then(() => {
        done++;
        outstanding.delete(p);
      });
      outstanding.add(p);
    }
    await Bun.sleep(1);
  }
  await Promise.all(outstanding);
};
console.log(JSON.stringify({ ready: true }));
if (rate > 0) await paced();
else await Promise.all(Array.from({ length: inflight }, lane));
console.log(JSON.stringify({ done, seconds: (performance.now() - t0) / 1000 }));
await ex.shutdown();
process.exit(0);
