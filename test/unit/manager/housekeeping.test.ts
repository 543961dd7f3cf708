/** The manager's housekeeping period: a quarter of the heartbeat period, bounded by poll_period and 1 s. */
import { describe, expect, test } from "bun:test";
import { housekeepingPeriodMs } from "../../../src/manager/run.ts";

describe("housekeepingPeriodMs", () => {
  test("heartbeat_period / 4, never below poll_period (or 10 ms), never above 1 s", () => {
    expect(housekeepingPeriodMs(30, 10)).toBe(1000); // funcX defaults: once a second, not every 10 ms
    expect(housekeepingPeriodMs(0.2, 10)).toBe(50);
    expect(housekeepingPeriodMs(0.2, 100)).toBe(100);
    expect(housekeepingPeriodMs(0.001, 1)).toBe(10);
    expect(housekeepingPeriodMs(2, 5000)).toBe(1000);
  });
});
