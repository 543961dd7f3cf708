/** ColdStartTracker: spawn → registration times per worker type, from an injected clock. */
import { expect, test } from "bun:test";
import { ColdStartTracker } from "../../../src/containers/cold-start.ts";
import { ManualClock } from "../../../src/util/clock.ts";

test("records per-type cold starts and pending workers; unknown ids are ignored", () => {
  const clock = new ManualClock(1000);
  const cs = new ColdStartTracker();
  cs.spawned("w1", "img-a", clock.now());
  cs.spawned("w2", "img-a", clock.now());
  cs.spawned("w3", "img-b", clock.now());
  clock.advance(300);
  expect(cs.registered("w1", clock.now())).toBe(300);
  clock.advance(200);
  expect(cs.registered("w2", clock.now())).toBe(500);
  expect(cs.registered("nobody", clock.now())).toBeNull();
  expect(cs.registered("w1", clock.now())).toBeNull();
  const a = cs.stats().get("img-a")!;
  expect(a).toEqual({ count: 2, lastMs: 500, minMs: 300, maxMs: 500, meanMs: 400, pending: 0 });
  expect(cs.stats().get("img-b")!.pending).toBe(1);
  expect(cs.summary()).toBe("img-a: n=2 mean=400ms min=300ms max=500ms; img-b: pending=1");
  cs.failed("w3");
  expect(cs.stats().has("img-b")).toBe(false);
});
