/** ExitGate: a worker's exit is reported only after its channel closed (its last results read first), or after the grace. */
import { describe, expect, test } from "bun:test";
import { ExitGate } from "../../../src/manager/exit-gate.ts";

describe("ExitGate", () => {
  test("channel already closed: the exit is reported at once", () => {
    const seen: string[] = [];
    new ExitGate(() => false).exited("w1", () => seen.push("w1"));
    expect(seen).toEqual(["w1"]);
  });

  test("channel still open: reported when it closes, once", () => {
    const seen: string[] = [];
    const g = new ExitGate(() => true, 60_000);
    g.exited("w1", () => seen.push("w1"));
    expect(seen).toEqual([]);
    g.disconnected("w2");
    expect(seen).toEqual([]);
    g.disconnected("w1");
    g.disconnected("w1");
    expect(seen).toEqual(["w1"]);
  });

  test("a channel that lingers: reported after the grace; flush reports the rest", async () => {
    const seen: string[] = [];
    const g = new ExitGate(() => true, 20);
    g.exited("w1", () => seen.push("w1"));
    const end = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < end) await Bun.sleep(5);
    expect(seen).toEqual(["w1"]);
    const g2 = new ExitGate(() => true, 60_000);
    g2.exited("a", () => seen.push("a"));
    g2.flush();
    expect(seen).toEqual(["w1", "a"]);
  });
});
