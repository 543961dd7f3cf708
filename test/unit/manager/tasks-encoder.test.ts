/** The hand-written `tasks` encoder means exactly what the protocol codec decodes, for every size class. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeManagerToWorker, encode } from "../../../src/protocol/codec.ts";
import type { WireTask } from "../../../src/protocol/messages.ts";
import { encodeTasks } from "../../../src/manager/tasks-encoder.ts";

function roundTrip(tasks: WireTask[]): void {
  const m = decodeManagerToWorker(encodeTasks(tasks));
  expect(m.type).toBe("tasks");
  if (m.type !== "tasks") return;
  expect(m.tasks.length).toBe(tasks.length);
  m.tasks.forEach((t, i) => {
    const want = tasks[i]!;
    expect(t.id).toBe(want.id);
    expect(t.task_type).toBe(want.task_type);
    expect(Buffer.from(t.payload).equals(Buffer.from(want.payload))).toBe(true);
    expect(t.duration).toBe(want.duration);
  });
}

describe("encodeTasks", () => {
  test("boundaries: ids, payload sizes, type lengths, counts, duration", () => {
    const ids = [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const sizes = [0, 1, 255, 256, 65535, 65536, 70000];
    const types = ["RAW", "x".repeat(31), "y".repeat(32), "z".repeat(255), "w".repeat(256), "ünïcödé/img:1"];
    const tasks: WireTask[] = [];
    let k = 0;
    for (const id of ids) for (const s of sizes) tasks.push({ id, task_type: types[k++ % types.length]!, payload: new Uint8Array(s).fill(k & 0xff) });
    tasks.push({ id: 5, task_type: "RAW", payload: encode({ a: 1 }), duration: 1.5 });
    roundTrip(tasks);
    for (const n of [0, 1, 15, 16, 17]) roundTrip(tasks.slice(0, n));
    roundTrip(Array.from({ length: 70000 }, (_, i) => ({ id: i, task_type: "RAW", payload: new Uint8Array([1]) })));
  });

  test("property: any tasks round-trip", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.nat(), task_type: fc.string({ minLength: 1 }), payload: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 40 }),
        (tasks) => roundTrip(tasks),
      ),
      { numRuns: 200 },
    );
  });
});
