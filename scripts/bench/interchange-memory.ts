/**
 * Memory per queued task in the interchange: N no-op submits decoded from real `submit` messages (as the client
 * ROUTER receives them) and queued by InterchangeCore with no manager connected. Prints bytes per task beyond
 * the payload bytes.   $BUN scripts/bench/interchange-memory.ts [N=1000000]
 */
import { InterchangeCore } from "../../src/interchange/core.ts";
import { MSG, decodeClientToInterchange, encode } from "../../src/protocol/index.ts";
import { silentLogger } from "../../src/util/log.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const BATCH = 4096;
const body = encode({ kind: "fn", source: "() => null", hash: "abc", args: [] });
const core = new InterchangeCore(
  { interchangeId: "bench", heartbeatPeriodS: 30, heartbeatThresholdS: 120, schedulerMode: "hard", maxPayloadBytes: 1 << 20, retries: 0, allowedImages: [], workerMode: "no_container", blockWalltimeS: Infinity },
  { toClient: () => {}, toManager: () => {} },
  silentLogger,
);
const client = new TextEncoder().encode("client-1");
// Bun's heapUsed already includes typed-array backing stores (they are also reported under `external`).
const mem = () => {
  Bun.gc(true);
  return process.memoryUsage().heapUsed;
};
const rss0 = process.memoryUsage().rss;
const before = mem();
const t0 = performance.now();
let payloadBytes = 0;
for (let i = 0; i < N; i += BATCH) {
  const tasks = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) tasks.push({ id: j, task_type: "RAW", payload: body });
  const frame = encode({ type: MSG.submit, tasks });
  const msg = decodeClientToInterchange(frame);
  if (msg.type !== MSG.submit) throw new Error("bad decode");
  core.onSubmit(client, msg);
  payloadBytes += tasks.length * body.length;
}
const t1 = performance.now();
const after = mem();
const rss = process.memoryUsage().rss;
console.log(`queued ${core.queues.size} no-op tasks in ${(t1 - t0).toFixed(0)} ms (${((N / (t1 - t0)) * 1000).toFixed(0)} submits/s decoded+queued)`);
console.log(`memory: +${((after - before) / 1e6).toFixed(1)} MB total, payload bytes ${(payloadBytes / 1e6).toFixed(1)} MB (${body.length} B each)`);
console.log(`per task: ${((after - before) / N).toFixed(1)} B total, ${((after - before - payloadBytes) / N).toFixed(1)} B beyond its payload; rss +${((rss - rss0) / 1e6).toFixed(0)} MB (${((rss - rss0 - payloadBytes) / N).toFixed(0)} B/task beyond payload incl. allocator slack)`);
