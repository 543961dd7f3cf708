/** ManagerCore through fake ports and a ManualClock: the decisions, without processes or sockets. */
import { describe, expect, test } from "bun:test";
import { decodeManagerResults, decodeManagerToInterchange, decodeManagerToWorker, decodeResults, encode } from "../../../src/protocol/codec.ts";
import { MSG, type Register, type WireTask } from "../../../src/protocol/messages.ts";
import { ManualClock } from "../../../src/util/clock.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { ManagerCore, type ManagerSettings } from "../../../src/manager/manager.ts";
import { buildRegistration, workerCount } from "../../../src/manager/registration.ts";
import type { ManagerOptions } from "../../../src/config/roles.ts";
import { encodeResults } from "../../../src/worker/results-encoder.ts";
import { managerWalltime, parseWalltimeFlag, walltimeDrainDue } from "../../../src/manager/walltime.ts";

const registration: Register = buildRegistration({
  opts: { workerMode: "no_container", schedulerMode: "hard", prefetch: 0 } as ManagerOptions,
  host: { hostname: "h", os: "linux-x64", pid: 1, cores: 2, memoryBytes: 1 << 30 },
  managerId: "m1",
  blockId: "b0",
  workerCount: 2,
  workerTypes: ["RAW"],
});

function setup(over: Partial<ManagerSettings> = {}) {
  const clock = new ManualClock(1000);
  const toIx: ReturnType<typeof decodeManagerToInterchange>[] = [];
  const results: ReturnType<typeof decodeResults>["results"][number][] = [];
  const toWorker: { id: string; msg: ReturnType<typeof decodeManagerToWorker> }[] = [];
  const started: { id: string; type: string }[] = [];
  const connected = new Set<string>();
  const exits: { code: number; reason: string }[] = [];
  const startNotices: number[][] = [];
  const settings: ManagerSettings = {
    managerId: "m1", hostname: "h", registration, workerCount: 2, workerTypes: ["RAW"], initialType: "RAW", singleUse: false,
    prefetch: 0, heartbeatPeriodS: 1, heartbeatThresholdS: 5, workerMaxIdleS: 60, minWorkers: 1,
    resultBatchSize: 1, resultBatchPeriodMs: 0, maxEarlyDeaths: 3, ...over,
  };
  const core = new ManagerCore(settings, {
    interchange: {
      sendTask: (m) => toIx.push(decodeManagerToInterchange(m)),
      sendResult: (m) => {
        const d = decodeManagerResults(m);
        if (d.type === MSG.results) results.push(...d.results);
        else startNotices.push([...d.ids]);
      },
    },
    workers: {
      sendTo: (id, m) => {
        if (!connected.has(id)) return false;
        toWorker.push({ id, msg: decodeManagerToWorker(m) });
        return true;
      },
    },
    launcher: {
      start: (id, type) => {
        started.push({ id, type });
        return { pid: 100 + started.length };
      },
      signal: () => {},
      registered: () => {},
      alive: () => [],
    },
    clock,
    log: silentLogger,
    onExit: (code, reason) => exits.push({ code, reason }),
  });
  const fromIx = (m: unknown) => core.onInterchangeMessage(encode(m));
  const hello = (id: string) => {
    connected.add(id);
    core.onWorkerMessage(id, encode({ type: MSG.workerHello, worker_id: id, worker_type: "RAW", pid: 1, single_use: false }));
  };
  const registered = () => fromIx({ type: MSG.registered, interchange_id: "ix", heartbeat_period: 1, heartbeat_threshold: 5 });
  const task = (id: number, type = "RAW"): WireTask => ({ id, task_type: type, payload: encode({ kind: "fn", source: "() => 1", hash: "a", args: [] }) });
  const requests = () => toIx.filter((m) => m.type === MSG.request).map((m) => (m as { capacity: number }).capacity);
  return { core, clock, toIx, results, toWorker, started, exits, fromIx, hello, registered, task, requests, startNotices };
}

describe("ManagerCore", () => {
  test("start registers and boots the pool; no request before the interchange answers", () => {
    const t = setup();
    t.core.start();
    expect(t.toIx[0]).toMatchObject({ type: MSG.register });
    expect(t.started.map((s) => s.type)).toEqual(["RAW", "RAW"]);
    t.core.settle();
    expect(t.requests()).toEqual([]);
    t.registered();
    t.core.settle();
    expect(t.requests()).toEqual([2]); // 2 workers × depth 1 + prefetch 0
  });

  test("tasks go to ready workers only; results are forwarded and capacity is re-requested, not per task", () => {
    const t = setup({ prefetch: 1 });
    t.core.start();
    t.registered();
    t.core.settle();
    expect(t.requests()).toEqual([3]);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1), t.task(2), t.task(3)] });
    t.core.settle();
    expect(t.toWorker).toEqual([]); // nobody said hello yet
    expect(t.requests()).toEqual([3]); // capacity fell to 0: no chatter
    const [w0, w1] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.hello(w1!);
    t.core.settle();
    expect(t.toWorker.map((x) => [x.id, x.msg.type === MSG.tasks ? x.msg.tasks.map((k) => k.id) : []])).toEqual([[w0!, [1]], [w1!, [2]]]);
    t.core.onWorkerMessage(w0!, encode({ type: MSG.results, results: [{ id: 1, value: encode(1) }] }));
    t.core.settle();
    expect(t.results.map((r) => r.id)).toEqual([1]);
    expect(t.toWorker.at(-1)).toMatchObject({ id: w0, msg: { type: MSG.tasks } });
    expect(t.requests().length).toBe(2); // one more request after a batch of results freed room
  });

  test("a task of a type this manager does not run fails at once with BadTask", () => {
    const t = setup();
    t.core.start();
    t.registered();
    t.fromIx({ type: MSG.tasks, tasks: [t.task(5, "docker.io/some:image")] });
    expect(t.results).toHaveLength(1);
    expect(t.results[0]!.error).toMatchObject({ code: "E_BAD_TASK", manager_id: "m1" });
  });

  test("a worker dying with its one task: WorkerLost for it, and a replacement starts", () => {
    const t = setup();
    t.core.start();
    t.registered();
    const [w0] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(9)] });
    t.core.settle();
    t.core.onWorkerExit(w0!, null, "SIGKILL");
    expect(t.results[0]).toMatchObject({ id: 9, error: { name: "WorkerLost", code: "E_WORKER_LOST", worker_id: w0 } });
    expect(t.started).toHaveLength(3);
    expect(t.exits).toEqual([]);
  });

  test("workers that keep dying before their hello make the manager give up", () => {
    const t = setup({ maxEarlyDeaths: 3 });
    t.core.start();
    t.registered();
    t.fromIx({ type: MSG.tasks, tasks: [t.task(41), t.task(42)] });
    for (let i = 0; i < 3; i++) t.core.onWorkerExit(t.started[i]!.id, 127, null);
    expect(t.exits).toHaveLength(1);
    // The tasks it held are failed at once, not left for heartbeat expiry.
    expect(t.results.map((r) => [r.id, r.error?.code])).toEqual([[41, "E_MANAGER_LOST"], [42, "E_MANAGER_LOST"]]);
    expect(t.exits[0]!.code).toBe(1);
    expect(t.exits[0]!.reason).toContain("died before starting");
  });

  test("bad_registration: exit non-zero with the interchange's reason", () => {
    const t = setup();
    t.core.start();
    t.fromIx({ type: MSG.badRegistration, code: "E_VERSION", message: "protocol 9 unsupported" });
    expect(t.exits[0]!.code).toBe(1);
    expect(t.exits[0]!.reason).toContain("protocol 9 unsupported");
  });

  test("heartbeats go out every period; a silent interchange past the threshold stops the manager", () => {
    const t = setup();
    t.core.start();
    t.registered();
    t.clock.advance(1000);
    t.core.tick();
    expect(t.toIx.filter((m) => m.type === MSG.heartbeat)).toHaveLength(1);
    t.core.tick();
    expect(t.toIx.filter((m) => m.type === MSG.heartbeat)).toHaveLength(1);
    t.fromIx({ type: MSG.heartbeat });
    t.clock.advance(4900);
    t.core.tick();
    expect(t.exits).toEqual([]);
    t.clock.advance(200);
    t.core.tick();
    expect(t.exits[0]).toMatchObject({ code: 1, reason: "interchange lost" });
  });

  test("drain: capacity 0 at once, exit 0 when the last result is in", () => {
    const t = setup();
    t.core.start();
    t.registered();
    const [w0] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1)] });
    t.core.settle();
    t.fromIx({ type: MSG.drain, reason: "walltime" });
    expect(t.requests().at(-1)).toBe(0);
    t.core.settle();
    expect(t.exits).toEqual([]);
    t.core.onWorkerMessage(w0!, encode({ type: MSG.results, results: [{ id: 1, value: encode(2) }] }));
    t.core.settle();
    expect(t.exits).toEqual([{ code: 0, reason: "drained" }]);
    expect(t.results.map((r) => r.id)).toEqual([1]);
    expect(t.toWorker.filter((x) => x.msg.type === MSG.shutdown).length).toBeGreaterThan(0);
  });

  test("a big value-only batch for tasks the worker was not given is dropped and counted (fast path)", () => {
    const t = setup();
    t.core.start();
    t.registered();
    const [w0] = t.started.map((s) => s.id);
    t.hello(w0!);
    const bogus = Array.from({ length: 70 }, (_, i) => ({ id: 1000 + i, value: encode(i) }));
    t.core.onWorkerMessage(w0!, encodeResults(bogus));
    expect(t.core.counters.unexpectedResults).toBe(70);
    expect(t.results).toEqual([]);
  });

  test("draining with queued tasks and no worker left: a replacement starts and runs them, then exit 0", () => {
    const t = setup();
    t.core.start();
    t.registered();
    const [w0, w1] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1), t.task(2)] });
    t.core.settle(); // w0 takes task 1 (depth 1); task 2 waits
    t.fromIx({ type: MSG.drain, reason: "test" });
    t.core.onWorkerExit(w1!, 0, null); // the other worker leaves before its hello
    t.core.onWorkerExit(w0!, null, "SIGKILL");
    expect(t.results.map((r) => [r.id, r.error?.code])).toEqual([[1, "E_WORKER_LOST"]]);
    expect(t.core.map.queued).toBe(1);
    const replacement = t.started.at(-1)!.id;
    expect([w0, w1]).not.toContain(replacement);
    t.hello(replacement);
    t.core.settle();
    t.core.onWorkerMessage(replacement, encode({ type: MSG.results, results: [{ id: 2, value: encode(2) }] }));
    t.core.settle();
    expect(t.results.map((r) => r.id)).toEqual([1, 2]);
    expect(t.exits).toEqual([{ code: 0, reason: "drained" }]);
  });

  test("malformed messages are counted and dropped, never fatal", () => {
    const t = setup();
    t.core.start();
    t.core.onInterchangeMessage(new Uint8Array([0xc1]));
    t.core.onInterchangeMessage(encode({ type: "bogus" }));
    t.core.onWorkerMessage("w?", encode({ type: MSG.results, results: [{ id: "x" }] }));
    expect(t.core.counters.malformed).toBe(3);
    expect(t.exits).toEqual([]);
  });
});

describe("registration", () => {
  test("the registration is a valid task-channel message", () => {
    expect(decodeManagerToInterchange(encode(registration))).toMatchObject({ type: MSG.register, manager_id: "m1", block_id: "b0", worker_count: 2 });
  });
  test("worker count: one per cores_per_worker, capped by max_workers, at least one", () => {
    expect(workerCount(8, 1, Infinity)).toBe(8);
    expect(workerCount(8, 2, Infinity)).toBe(4);
    expect(workerCount(8, 0.5, 10)).toBe(10);
    expect(workerCount(1, 4, Infinity)).toBe(1);
  });
});

describe("ManagerCore walltime drain (injected clock)", () => {
  test("before the drain period it asks for work; within it, capacity 0 once, it finishes what it holds, then exits 0", () => {
    // clock starts at 1000: the block ends at 1000 + 60 s, drain period 10 s
    const t = setup({ walltime: managerWalltime(1000, 60, 10) });
    t.core.start();
    t.registered();
    const [w0, w1] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.hello(w1!);
    t.core.settle();
    expect(t.requests()).toEqual([2]);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1)] });
    t.core.settle();
    t.clock.advance(49_000); // 11 s left: not yet
    t.fromIx({ type: MSG.heartbeat }); // the interchange is alive
    t.core.tick();
    expect(t.core.state).toBe("running");
    t.clock.advance(1_000); // 10 s left: the drain period begins
    t.fromIx({ type: MSG.heartbeat });
    t.core.tick();
    expect(t.core.state).toBe("draining");
    expect(t.requests().at(-1)).toBe(0);
    const n = t.requests().length;
    t.core.tick();
    t.core.settle();
    expect(t.requests().length).toBe(n); // no more requests while draining
    expect(t.exits).toEqual([]); // task 1 is still running
    const holder = t.toWorker.find((x) => x.msg.type === MSG.tasks)!.id;
    t.core.onWorkerMessage(holder, encode({ type: MSG.results, results: [{ id: 1, value: encode(1) }] }));
    t.core.settle();
    expect(t.results.map((r) => r.id)).toEqual([1]);
    expect(t.exits).toEqual([{ code: 0, reason: "drained" }]);
  });

  test("without a walltime (started by hand) it never drains on its own", () => {
    const t = setup({ walltime: managerWalltime(1000, null, null) });
    t.core.start();
    t.registered();
    t.core.settle();
    t.clock.advance(30 * 86_400_000);
    t.fromIx({ type: MSG.heartbeat });
    t.core.tick();
    expect(t.core.state).toBe("running");
  });

  test("walltime helpers: end counted from the start; default drain a tenth (5 s … 2 min); --walltime parsing", () => {
    expect(managerWalltime(5000, 3600, null)).toEqual({ endMs: 5000 + 3_600_000, drainMs: 120_000 });
    expect(managerWalltime(0, 20, null)!.drainMs).toBe(5000);
    expect(managerWalltime(0, 600, null)!.drainMs).toBe(60_000);
    expect(managerWalltime(0, 600, 0)!.drainMs).toBe(0);
    expect(walltimeDrainDue(null, 1e15)).toBe(false);
    expect(walltimeDrainDue({ endMs: 100_000, drainMs: 10_000 }, 89_999)).toBe(false);
    expect(walltimeDrainDue({ endMs: 100_000, drainMs: 10_000 }, 90_000)).toBe(true);
    expect(parseWalltimeFlag("90")).toBe(90);
    expect(parseWalltimeFlag("1.5")).toBe(1.5);
    expect(parseWalltimeFlag("01:30:00")).toBe(5400);
    expect(parseWalltimeFlag("48:00:00")).toBe(172_800);
    expect(parseWalltimeFlag("02:30")).toBe(150);
    for (const bad of ["", "abc", "1:2:3:4", "00:61:00", "00:00:75", "-5"]) expect(parseWalltimeFlag(bad)).toBeNull();
  });
});

describe("ManagerCore start notices (running status)", () => {
  test("tasks of a want_status batch: one started notice per turn with the ids handed to workers", () => {
    const t = setup();
    t.core.start();
    t.registered();
    const [w0, w1] = t.started.map((s) => s.id);
    t.hello(w0!);
    t.hello(w1!);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1), t.task(2), t.task(3)], want_status: true });
    t.core.settle();
    expect(t.startNotices).toEqual([[1, 2]]); // two workers, depth 1: task 3 waits
    t.core.onWorkerMessage(w0!, encode({ type: MSG.results, results: [{ id: 1, value: encode(1) }] }));
    t.core.settle();
    expect(t.startNotices).toEqual([[1, 2], [3]]);
  });

  test("a batch without want_status costs nothing: no notice", () => {
    const t = setup();
    t.core.start();
    t.registered();
    for (const s of t.started) t.hello(s.id);
    t.fromIx({ type: MSG.tasks, tasks: [t.task(1), t.task(2)] });
    t.core.settle();
    expect(t.toWorker.length).toBe(2);
    expect(t.startNotices).toEqual([]);
  });

  test("a task handed to a worker that is not connected yet is announced when it really goes", () => {
    const t = setup({ workerCount: 1 });
    t.core.start();
    t.registered();
    t.fromIx({ type: MSG.tasks, tasks: [t.task(4)], want_status: true });
    t.core.settle();
    expect(t.startNotices).toEqual([]);
    t.hello(t.started[0]!.id);
    t.core.settle();
    expect(t.startNotices).toEqual([[4]]);
  });
});
