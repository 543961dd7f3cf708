import fc from "fast-check";
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fnBody, moduleBody, shellBody } from "../../../src/executor/bodies.ts";
import { InterchangeLost, RemoteError } from "../../../src/executor/errors.ts";
import { PendingTasks } from "../../../src/executor/pending.ts";
import { OrderedLines } from "../../../src/executor/run-output.ts";
import { formatEta, progressLine } from "../../../src/executor/run-progress.ts";
import { HighThroughputExecutor } from "../../../src/index.ts";
import { formatReadyLine, parseReadyLine } from "../../../src/interchange/ready.ts";
import { decodeTaskBody, encode } from "../../../src/protocol/index.ts";

describe("PendingTasks", () => {
  test("settles values, remote errors, detailed outcomes; unknown ids are reported", async () => {
    const p = new PendingTasks();
    const a = p.add();
    const b = p.add();
    const c = p.add(true);
    expect(p.settle({ id: a.id, value: encode({ x: 1 }) })).toBe(true);
    expect(p.settle({ id: b.id, error: { name: "TypeError", message: "no", code: undefined, host: "h1" } })).toBe(true);
    expect(p.settle({ id: c.id, value: encode(5), host: "h2", worker_id: "w", t_start: 1, t_end: 3 })).toBe(true);
    expect(p.settle({ id: 999, value: encode(0) })).toBe(false);
    expect(await a.promise).toEqual({ x: 1 });
    const e = (await b.promise.catch((x) => x)) as RemoteError;
    expect(e).toBeInstanceOf(RemoteError);
    expect([e.remoteName, e.remoteMessage, e.host, e.code]).toEqual(["TypeError", "no", "h1", "E_REMOTE"]);
    expect(await c.promise).toEqual({ value: 5, host: "h2", workerId: "w", startedMs: 1, endedMs: 3 });
    expect([p.size, p.done, p.failed]).toEqual([0, 2, 1]);
  });

  test("rejectAll fails every outstanding task with the given error", async () => {
    const p = new PendingTasks();
    const ps = [p.add(), p.add(), p.add()].map((x) => x.promise.catch((e) => e));
    expect(p.rejectAll(new InterchangeLost("gone"))).toBe(3);
    for (const e of (await Promise.all(ps)) as InterchangeLost[]) expect(e.code).toBe("E_INTERCHANGE_LOST");
    expect(p.size).toBe(0);
  });

  test("any interleaving of add, settle, reject and stray ids behaves like a map of pending promises", async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("add" as const), detailed: fc.boolean() }),
      fc.record({ t: fc.constant("settle" as const), pick: fc.nat(), ok: fc.boolean() }),
      fc.record({ t: fc.constant("reject" as const), pick: fc.nat() }),
      fc.record({ t: fc.constant("stray" as const), id: fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.constant(2 ** 53), fc.constant(1.5)) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), fc.integer({ min: 0, max: 3 }), async (ops, startSeg) => {
        const p = new PendingTasks();
        (p as unknown as { nextId: number }).nextId = startSeg * 4096 + 4090; // cross segment boundaries early
        const model = new Map<number, boolean>(); // id → detailed
        const outcome = new Map<number, Promise<unknown>>();
        const expected = new Map<number, unknown>();
        const ids: number[] = [];
        for (const o of ops) {
          if (o.t === "add") {
            const a = p.add(o.detailed);
            expect(model.has(a.id)).toBe(false);
            model.set(a.id, o.detailed);
            ids.push(a.id);
            outcome.set(a.id, a.promise.then((v) => ({ v }), (e: Error) => ({ e: e.message })));
          } else if (o.t === "stray") {
            expect(p.settle({ id: o.id, value: encode(0) })).toBe(model.has(o.id));
            if (model.has(o.id)) {
              expected.set(o.id, model.get(o.id) ? { v: { value: 0, host: undefined, workerId: undefined, startedMs: undefined, endedMs: undefined } } : { v: 0 });
              model.delete(o.id);
            }
          } else if (ids.length > 0) {
            const id = ids[o.pick % ids.length]!;
            const was = model.has(id);
            if (o.t === "reject") {
              expect(p.reject(id, new Error(`r${id}`))).toBe(was);
              if (was) expected.set(id, { e: `r${id}` });
            } else {
              expect(p.settle(o.ok ? { id, value: encode(id) } : { id, error: { name: "E", message: `x${id}` } })).toBe(was);
              if (was) expected.set(id, o.ok ? (model.get(id) ? { v: { value: id, host: undefined, workerId: undefined, startedMs: undefined, endedMs: undefined } } : { v: id }) : { e: `E: x${id}` });
            }
            model.delete(id);
          }
          expect(p.size).toBe(model.size);
        }
        expect(p.rejectAll(new Error("all"))).toBe(model.size);
        for (const id of model.keys()) expected.set(id, { e: "all" });
        expect(p.size).toBe(0);
        for (const [id, pr] of outcome) expect(await pr).toEqual(expected.get(id));
      }),
      { numRuns: 200 },
    );
  });

  test("memory stays bounded: 50,000 sequential round trips keep at most two segments; ids past 2^32 work", async () => {
    const p = new PendingTasks();
    const segs = () => (p as unknown as { segs: Map<number, unknown> }).segs.size;
    for (let i = 0; i < 50_000; i++) {
      const a = p.add();
      expect(p.settle({ id: a.id, value: encode(i) })).toBe(true);
    }
    expect(segs()).toBeLessThanOrEqual(2);
    // a burst that spans segments, settled out of order
    const burst = Array.from({ length: 10_000 }, () => p.add());
    for (const a of [...burst].reverse()) p.settle({ id: a.id, value: encode(1) });
    expect([p.size, segs()]).toEqual([0, 1]);
    (p as unknown as { nextId: number }).nextId = 2 ** 32 - 3;
    const big = Array.from({ length: 6 }, () => p.add());
    expect(big.map((a) => a.id)).toEqual([2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 32 + 2]);
    for (const a of big) expect(p.settle({ id: a.id, value: encode(a.id) })).toBe(true);
    expect(await Promise.all(big.map((a) => a.promise))).toEqual(big.map((a) => a.id));
  });
});

describe("task bodies", () => {
  test("a function travels as its source with a stable hash; bodies pass the worker's validator", () => {
    const b = fnBody((x: number) => x + 1, [1]);
    expect(b.source).toContain("x + 1");
    expect(b.hash).toBe(fnBody((x: number) => x + 1, [2]).hash);
    expect(decodeTaskBody(encode(b)).kind).toBe("fn");
    expect(decodeTaskBody(encode(shellBody(["ls", "-l"], { cwd: "/", timeout: 2 }))).kind).toBe("shell");
    expect(decodeTaskBody(encode(shellBody("echo hi"))).kind).toBe("shell");
    const m = moduleBody("rel/mod.ts", "f", [1]);
    expect(path.isAbsolute(m.path)).toBe(true);
  });

  test("bad arguments are refused with E_BAD_ARGUMENT", () => {
    expect(() => shellBody("  ")).toThrow("empty");
    expect(() => shellBody([])).toThrow("non-empty");
    expect(() => fnBody(Math.max, [])).toThrow("native");
    expect(() => fnBody(42 as never, [])).toThrow("needs a function");
    try {
      moduleBody("", "x", []);
    } catch (e) {
      expect((e as { code: string }).code).toBe("E_BAD_ARGUMENT");
    }
  });
});

describe("executor before start", () => {
  test("submit before start/connect rejects at once with E_EXECUTOR_NOT_STARTED; a bad config is refused in the constructor", async () => {
    const ex = new HighThroughputExecutor({ executor: { max_workers: 1 } });
    const e = await ex.submit(() => 1).catch((x) => x);
    expect(e.code).toBe("E_EXECUTOR_NOT_STARTED");
    expect(() => new HighThroughputExecutor({ executor: { heartbeat_period: "soon" } })).toThrow("heartbeat_period");
  });
});

describe("fx run pieces", () => {
  test("progress lines show done/failed/rate/ETA", () => {
    expect(progressLine({ done: 40, failed: 10, total: 100 }, 10)).toBe("fx run: 50/100 done, 10 failed, 5.0 tasks/s, ETA 10s");
    expect(formatEta(NaN)).toBe("?");
    expect(formatEta(125)).toBe("2m05s");
    expect(formatEta(7300)).toBe("2h01m");
  });

  test("result lines come out in input order whatever order results arrive in", () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fx-ordered-")), "out.jsonl");
    const fd = fs.openSync(f, "w");
    const o = new OrderedLines(4, fd);
    for (const i of [2, 0, 3, 1]) o.put(i, { index: i });
    o.flush();
    fs.closeSync(fd);
    expect(fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l).index)).toEqual([0, 1, 2, 3]);
  });

  test("the interchange ready line round-trips; other lines are not ready lines", () => {
    const urls = { interchange_id: "i", client: { tasks: "tcp://127.0.0.1:1", results: "tcp://127.0.0.1:1", commands: "tcp://127.0.0.1:2" }, task_url: "tcp://127.0.0.1:3", result_url: "tcp://127.0.0.1:4" };
    expect(parseReadyLine(formatReadyLine(urls, 42).trim())).toEqual({ ...urls, pid: 42 });
    expect(parseReadyLine("hello")).toBeNull();
    expect(parseReadyLine("FX_INTERCHANGE_READY {not json")).toBeNull();
  });
});

describe("executor connect to nothing", () => {
  test("connect() to an address where nobody listens rejects with InterchangeLost within its deadline", async () => {
    const srv = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = srv.port;
    srv.stop(true);
    const ex = new HighThroughputExecutor({}, { lostTimeoutMs: 200 });
    const url = `tcp://127.0.0.1:${port}`;
    const e = await ex.connect({ tasks: url, results: url, commands: url }).catch((x) => x);
    expect(e).toBeInstanceOf(InterchangeLost);
    expect(e.message).toContain("no welcome");
    const late = await ex.submit(() => 1).catch((x) => x);
    expect(late.code).toBe("E_EXECUTOR_SHUT_DOWN");
  }, 30_000);
});
