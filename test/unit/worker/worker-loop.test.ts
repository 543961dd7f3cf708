/** WorkerLoop through a fake link: hello, in-order results in batches, async flushing, single use, shutdown. */
import { describe, expect, test } from "bun:test";
import { decodeResults, decodeValue, decodeWorkerToManager, encode } from "../../../src/protocol/codec.ts";
import { MSG, type EncodedMessage, type WireResult } from "../../../src/protocol/messages.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { WorkerLoop } from "../../../src/worker/worker.ts";

function setup(singleUse = false, flushMs?: number) {
  const sent: EncodedMessage[] = [];
  const done: number[] = [];
  const loop = new WorkerLoop({
    workerId: "w1", workerType: "RAW", host: "h", singleUse, log: silentLogger,
    link: { send: (m) => sent.push(m), close: async () => {} },
    onDone: (c) => done.push(c),
    ...(flushMs !== undefined ? { flushMs } : {}),
  });
  const results = (): WireResult[] => sent.slice(1).flatMap((m) => decodeResults(m).results);
  const give = (...tasks: { id: number; source: string; args?: unknown[] }[]) =>
    loop.onMessage(encode({ type: MSG.tasks, tasks: tasks.map((t) => ({ id: t.id, task_type: "RAW", payload: encode({ kind: "fn", source: t.source, hash: t.source, args: t.args ?? [] }) })) }));
  return { loop, sent, done, results, give };
}

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met");
    await Bun.sleep(1);
  }
}

describe("WorkerLoop", () => {
  test("says hello with its id and type first", () => {
    const t = setup();
    t.loop.start();
    expect(decodeWorkerToManager(t.sent[0]!)).toMatchObject({ type: MSG.workerHello, worker_id: "w1", worker_type: "RAW", single_use: false });
  });

  test("a batch of synchronous tasks runs in order and comes back in one message", async () => {
    const t = setup(false, 60_000); // no time-bound flush: only the end of the hand-off sends (no timing in the test)
    t.loop.start();
    t.give(...Array.from({ length: 10 }, (_, i) => ({ id: i + 1, source: "(x) => x * 3", args: [i] })));
    await until(() => t.results().length === 10);
    expect(t.sent.length).toBe(2);
    expect(t.results().map((r) => [r.id, decodeValue(r.value!)])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, i * 3]));
  });

  test("finished results are sent before waiting on a slow async task", async () => {
    const t = setup();
    t.loop.start();
    t.give({ id: 1, source: "() => 'fast'" }, { id: 2, source: "() => new Promise((r) => setTimeout(() => r('slow'), 300))" });
    await until(() => t.results().length >= 1);
    expect(t.results().map((r) => r.id)).toEqual([1]);
    await until(() => t.results().length === 2);
    expect(decodeValue(t.results()[1]!.value!)).toBe("slow");
  });

  test("single use: one task, its result, then done", async () => {
    const t = setup(true);
    t.loop.start();
    t.give({ id: 1, source: "() => 1" }, { id: 2, source: "() => 2" });
    await until(() => t.done.length === 1);
    expect(t.results().map((r) => r.id)).toEqual([1]);
    expect(t.done).toEqual([0]);
  });

  test("shutdown when idle: done at once; malformed messages are dropped", async () => {
    const t = setup();
    t.loop.start();
    t.loop.onMessage(new Uint8Array([0xc1]));
    expect(t.done).toEqual([]);
    t.loop.onMessage(encode({ type: MSG.shutdown, reason: "idle" }));
    await until(() => t.done.length === 1);
    expect(t.loop.finishing).toBe(true);
  });
});
