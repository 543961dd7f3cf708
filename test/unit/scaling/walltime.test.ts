import { describe, expect, test } from "bun:test";
import { taskFitsBlock, scalingConfigFrom, defaultWalltimeDrainMs } from "../../../src/scaling/index.ts";
import { DEFAULTS } from "../../../src/config/schema.ts";

const block = (endsAt: number | null, heldAt: number | null = null) => ({ endsAt, heldAt, cancelRequestedAt: null });
const cfg = { walltimeDrainMs: 30_000 };

describe("walltime-aware dispatch", () => {
  test("a block without a known end takes any task", () => {
    expect(taskFitsBlock(block(null), 0, cfg, 1e9)).toEqual({ ok: true });
  });

  test("no task inside the drain period before the walltime end", () => {
    expect(taskFitsBlock(block(100_000), 69_999, cfg).ok).toBe(true);
    const r = taskFitsBlock(block(100_000), 70_000, cfg);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain("drain period");
  });

  test("no task whose declared duration exceeds the remaining walltime", () => {
    expect(taskFitsBlock(block(100_000), 0, cfg, 100).ok).toBe(true);
    const r = taskFitsBlock(block(100_000), 0, cfg, 101);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain("101s");
  });

  test("a held block takes nothing", () => {
    expect(taskFitsBlock(block(null, 5), 10, cfg).ok).toBe(false);
  });
});

describe("scalingConfigFrom", () => {
  test("takes the provider's numbers in milliseconds", () => {
    const c = scalingConfigFrom({ provider: DEFAULTS.provider, executor: DEFAULTS.executor });
    expect(c.maxIdletimeMs).toBe(DEFAULTS.provider.max_idletime * 1000);
    expect(c.drainTimeoutMs).toBe(DEFAULTS.provider.drain_timeout * 1000);
    expect(c.walltimeDrainMs).toBe(defaultWalltimeDrainMs(1800));
    expect(c.slotsPerBlock).toBe(1);
  });

  test("expected slots per block: nodes × tasks per node × workers per manager", () => {
    const provider = { ...DEFAULTS.provider, nodes_per_block: 2, cores_per_node: 8 };
    expect(scalingConfigFrom({ provider, executor: { max_workers: Infinity, cores_per_worker: 2 } }).slotsPerBlock).toBe(8);
    expect(scalingConfigFrom({ provider, executor: { max_workers: 3, cores_per_worker: 1 }, tasksPerNode: 2 }).slotsPerBlock).toBe(12);
  });

  test("drain default: a tenth of the walltime, within 5 s..2 min", () => {
    expect(defaultWalltimeDrainMs(60)).toBe(6_000);
    expect(defaultWalltimeDrainMs(10)).toBe(5_000);
    expect(defaultWalltimeDrainMs(86_400)).toBe(120_000);
  });
});
