/**
 * Diagnostic (not part of `run`): bytes the interchange's core allocates per sequential round trip — a submit of
 * one no-op, the dispatch, its result, the flush to the client — with no sockets, and again with the codec's
 * decode/encode of each message, plus `planDispatch` alone; and the manager's core per round trip (a `tasks`
 * message with one task in, its hand-off to a worker, the worker's result in, the batch out, each as bytes).
 * Fewer bytes per message mean fewer collections.
 * JavaScriptCore has no allocation counter, but in a loop that never yields to the event loop every collection is
 * started by the allocation threshold, and with BUN_JSC_logGC=1 each says how many bytes were allocated since the
 * one before; the script re-runs itself that way and adds them up.
 *   bun scripts/bench/core-alloc.ts [trips=200000]
 */
import { spawnSync } from "node:child_process";
import { InterchangeCore } from "../../src/interchange/core.ts";
import { planDispatch } from "../../src/interchange/dispatch.ts";
import { decodeClientToInterchange, decodeManagerResults, encodeMessage } from "../../src/protocol/codec.ts";
import { MSG, PROTOCOL_VERSION, encode, type Register, type Submit, type Tasks } from "../../src/protocol/index.ts";
import { ManagerCore, type ManagerSettings } from "../../src/manager/manager.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { silentLogger } from "../../src/util/log.ts";
import { printTable, report } from "./lib.ts";

const n = Number(process.argv[2] ?? 200_000);
const SCENARIOS = ["core", "core+codec", "planDispatch", "manager"] as const;

if (process.env.FX_CORE_ALLOC_SCENARIO === undefined) {
  for (const s of SCENARIOS) {
    const r = spawnSync(process.execPath, [import.meta.path, String(n)], { env: { ...process.env, BUN_JSC_logGC: "1", FX_CORE_ALLOC_SCENARIO: s }, encoding: "utf8", maxBuffer: 1 << 30 });
    const log = r.stderr.slice(r.stderr.indexOf("MEASURE START"), r.stderr.indexOf("MEASURE END"));
    const bytes = [...log.matchAll(/bytes allocated this cycle: (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    const what = s === "planDispatch" ? "per call, interchange planDispatch" : s === "manager" ? "per round trip, manager core" : `per round trip, interchange ${s}`;
    report({ bench: "core-alloc", figure: `bytes allocated ${what} (${n})`, unit: "B", runs: [Math.round(bytes / n)], extra: { collections: (log.match(/Requesting GC/g) ?? []).length } });
  }
  printTable();
  process.exit(0);
}

const scenario = process.env.FX_CORE_ALLOC_SCENARIO;
const codec = scenario === "core+codec";
let lastTasks: Tasks | null = null;
const core = new InterchangeCore(
  { interchangeId: "bench", heartbeatPeriodS: 30, heartbeatThresholdS: 120, schedulerMode: "hard", maxPayloadBytes: 1 << 20, retries: 0, allowedImages: [], workerMode: "no_container", blockWalltimeS: Infinity },
  {
    toClient: (_id, msg) => { if (codec) encodeMessage(msg); },
    toManager: (_id, msg) => {
      if (msg.type === MSG.tasks) lastTasks = msg;
      if (codec) encodeMessage(msg);
    },
  },
  silentLogger,
);
const reg: Register = {
  type: MSG.register, protocol_version: PROTOCOL_VERSION, fx_version: "bench", manager_id: "m1", block_id: "0", hostname: "h", os: "linux",
  pid: 1, cores: 2, memory_bytes: 1e9, worker_count: 2, worker_types: ["RAW"], worker_mode: "no_container", scheduler_mode: "hard", prefetch: 0,
};
core.onManagerMessage("m1", reg, 0);
core.onManagerMessage("m1", { type: MSG.request, capacity: 1 }, 0);
const client = new TextEncoder().encode("client-1");
const payload = encode({ kind: "fn", source: "() => null", hash: "abc", args: [] });
const value = encode(null);
const submitFrames = [encodeMessage({ type: MSG.submit, tasks: [{ id: 1, task_type: "RAW", payload }] })].flat();
let id = 0;

function trip(now: number): void {
  const submit: Submit = codec ? (decodeClientToInterchange(submitFrames) as Submit) : { type: MSG.submit, tasks: [{ id: ++id, task_type: "RAW", payload }] };
  core.onSubmit(client, submit, now);
  core.flush(now);
  const results = { type: MSG.results, results: [{ id: lastTasks!.tasks[0]!.id, value }] } as const;
  core.onResults("m1", codec ? decodeManagerResults([encodeMessage(results)].flat()) as typeof results : results, now);
  core.onManagerMessage("m1", { type: MSG.request, capacity: 1 }, now);
  core.flush(now);
}

/** The manager's side of a round trip, through ManagerCore with its ports doing nothing (one ready worker). */
function managerTrip(): () => void {
  const clock = new ManualClock(1000);
  const workers: string[] = [];
  const settings: ManagerSettings = {
    managerId: "m1", hostname: "h", registration: reg, workerCount: 1, workerTypes: ["RAW"], initialType: "RAW", singleUse: false, prefetch: 0,
    heartbeatPeriodS: 30, heartbeatThresholdS: 120, workerMaxIdleS: 60, minWorkers: 1, resultBatchSize: 1024, resultBatchPeriodMs: 0, maxEarlyDeaths: 3,
  };
  const m = new ManagerCore(settings, {
    interchange: { sendTask: () => {}, sendResult: () => {} },
    workers: { sendTo: () => true },
    launcher: { start: (wid) => ({ pid: 100 + workers.push(wid) }), signal: () => {}, registered: () => {}, alive: () => [] },
    clock, log: silentLogger, onExit: () => {},
  });
  m.start();
  m.onInterchangeMessage(encode({ type: MSG.registered, interchange_id: "ix", heartbeat_period: 30, heartbeat_threshold: 120 }));
  m.onWorkerMessage(workers[0]!, encode({ type: MSG.workerHello, worker_id: workers[0]!, worker_type: "RAW", pid: 1, single_use: false }));
  m.settle();
  // ids cycle through K pre-encoded messages (the manager keeps no memory of finished ids), so the loop encodes nothing
  const K = 1000;
  const tasksIn = Array.from({ length: K }, (_, i) => encodeMessage({ type: MSG.tasks, tasks: [{ id: i + 1, task_type: "RAW", payload }] }));
  const resultsIn = Array.from({ length: K }, (_, i) => encodeMessage({ type: MSG.results, results: [{ id: i + 1, value }] }));
  let i = 0;
  return () => {
    const k = i++ % K;
    m.onInterchangeMessage(tasksIn[k]!);
    m.settle();
    m.onWorkerMessage(workers[0]!, resultsIn[k]!);
    m.settle();
  };
}

const managers = core.managers.dispatchView();
const lanes = new Map();
const step = scenario === "planDispatch"
  ? (now: number) => void planDispatch({ managers, pending: new Map([["RAW", 1]]), lanes, mode: "hard", cursor: 0, now })
  : scenario === "manager" ? managerTrip() : trip;
for (let i = 0; i < 50_000; i++) step(i); // warm-up: the JIT settles
console.error("MEASURE START");
for (let i = 0; i < n; i++) step(i);
console.error("MEASURE END");
