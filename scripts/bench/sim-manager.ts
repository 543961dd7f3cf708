/**
 * Lightweight simulated managers for the many-managers benchmark: COUNT managers in one process, each with
 * the two DEALER connections a real manager has (task and result channels, routing id = manager id), speaking
 * the real protocol (src/protocol over src/zmtp): register, ask for CAPACITY tasks, answer every task at once
 * with a no-op result (value = msgpack 0), and ask again. Prints {"registered":COUNT} once all are registered;
 * runs until stdin closes.
 *   bun scripts/bench/sim-manager.ts TASK_URL RESULT_URL COUNT CAPACITY PREFIX
 */
import os from "node:os";
import {
  FX_VERSION, MSG, PROTOCOL_VERSION, RAW_TASK_TYPE, decodeInterchangeToManager, encode, type Register, type WireResult,
} from "../../src/protocol/index.ts";
import { Dealer } from "../../src/zmtp/index.ts";

const [taskUrl, resultUrl, countArg, capArg, prefix] = process.argv.slice(2);
if (!taskUrl || !resultUrl || !countArg || !capArg || !prefix) {
  console.error("usage: sim-manager.ts TASK_URL RESULT_URL COUNT CAPACITY PREFIX");
  process.exit(2);
}
const count = Number(countArg);
const capacity = Number(capArg);
const ZERO = encode(0);
const request = encode({ type: MSG.request, capacity });
const socks: Dealer[] = [];
let registered = 0;

async function simManager(i: number): Promise<void> {
  const id = `${prefix}-${i}`;
  const opts = { routingId: Buffer.from(id), sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000, linger: 0 };
  const task = new Dealer(opts);
  const result = new Dealer(opts);
  socks.push(task, result);
  task.connect(taskUrl!);
  result.connect(resultUrl!);
  const reg: Register = {
    type: MSG.register, protocol_version: PROTOCOL_VERSION, fx_version: FX_VERSION, manager_id: id, block_id: "sim",
    hostname: os.hostname(), os: "sim", pid: process.pid, cores: capacity, memory_bytes: 0, worker_count: capacity,
    worker_types: [RAW_TASK_TYPE], worker_mode: "no_container", scheduler_mode: "hard", prefetch: 0,
  };
  void task.send(encode(reg));
  for await (const frames of task) {
    const msg = decodeInterchangeToManager(frames);
    if (msg.type === MSG.registered) {
      if (++registered === count) console.log(JSON.stringify({ registered }));
      void task.send(request);
    } else if (msg.type === MSG.tasks) {
      const results: WireResult[] = msg.tasks.map((t) => ({ id: t.id, value: ZERO }));
      void result.send(encode({ type: MSG.results, results }));
      void task.send(request);
    } else if (msg.type === MSG.shutdown || msg.type === MSG.badRegistration) {
      console.error(`sim manager ${id}: ${msg.type}: ${"reason" in msg ? msg.reason : msg.message}`);
      return;
    }
  }
}

for (let i = 0; i < count; i++) void simManager(i);
process.stdin.on("data", () => {});
process.stdin.on("end", async () => {
  await Promise.allSettled(socks.map((s) => s.close()));
  process.exit(0);
});
