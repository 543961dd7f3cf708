/** The manager's housekeeping period and the cores it plans with. */
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

describe("managerCores", () => {
  test("a bound manager uses its CPUs; unbound managers share the node equally (at least 1 core each)", async () => {
    const { managerCores } = await import("../../../src/manager/registration.ts");
    expect(managerCores(8, 8, 1)).toBe(8);
    expect(managerCores(8, 8, 2)).toBe(4); // single_node launcher, 2 managers, no binding
    expect(managerCores(3, 8, 2)).toBe(3); // srun bound this one to 3 CPUs
    expect(managerCores(2, 2, 4)).toBe(1);
  });
});
