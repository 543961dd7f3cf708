/** Capacity: slots per worker follow the depth; requests only when the interchange's view is too low or far too high. */
import { describe, expect, test } from "bun:test";
import { managerCapacity, shouldRequest } from "../../../src/manager/capacity.ts";

describe("capacity", () => {
  test("long tasks: one slot per worker plus prefetch, minus what is held", () => {
    expect(managerCapacity({ workerCount: 4, depth: 1, prefetch: 2, held: 1 })).toBe(5);
  });
  test("short tasks: two hand-offs per worker", () => {
    expect(managerCapacity({ workerCount: 2, depth: 100, prefetch: 0, held: 50 })).toBe(350);
    expect(managerCapacity({ workerCount: 2, depth: 1, prefetch: 0, held: 10 })).toBe(0);
  });
  test("request when more room than believed, or far less; not for small drops", () => {
    expect(shouldRequest(10, 4)).toBe(true);
    expect(shouldRequest(10, -3)).toBe(true);
    expect(shouldRequest(4, 4)).toBe(false);
    expect(shouldRequest(3, 4)).toBe(false);
    expect(shouldRequest(1, 10)).toBe(true);
    expect(shouldRequest(0, 0)).toBe(false);
  });
});
