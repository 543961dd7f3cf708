/**
 * BlockScaler (the I/O shell of the scaling strategy) with the real LocalProvider and real processes;
 * the interchange is played by a small host object the test controls (which managers a block has).
 */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type FxConfig } from "../../../src/config/schema.ts";
import { BlockScaler, type BlockFailure, type ScalingHost } from "../../../src/scaling/index.ts";
import { LocalProvider } from "../../../src/providers/local.ts";
import { JobState } from "../../../src/providers/provider.ts";
import { ManualClock } from "../../../src/util/clock.ts";
import { silentLogger } from "../../../src/util/log.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

class Host implements ScalingHost {
  readonly managers = new Map<string, { id: string; capacity: number; inflight: number }[]>();
  readonly held: string[] = [];
  readonly drained: string[] = [];
  readonly failures: BlockFailure[] = [];
  work = 0;
  managersOf(blockId: string) { return this.managers.get(blockId) ?? []; }
  hold(id: string) { this.held.push(id); }
  drain(id: string) { this.drained.push(id); }
  outstanding() { return this.work; }
  blockFailed(r: BlockFailure) { this.failures.push(r); }
}

function setUp(command: (blockId: string) => string[], over: Partial<FxConfig["provider"]> = {}) {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-scaler-"));
  const config: FxConfig = { ...DEFAULTS, provider: { ...DEFAULTS.provider, init_blocks: 1, max_blocks: 2, max_idletime: 60, ...over }, logging: { ...DEFAULTS.logging, logdir } };
  const provider = new LocalProvider({ worker_init: "", killGraceMs: 1000 }, { logdir });
  const host = new Host();
  const clock = new ManualClock(1_000_000);
  const scaler = new BlockScaler(config, host, { log: silentLogger, clock, commandFor: command, provider });
  cleanups.push(async () => { await scaler.close(); fs.rmSync(logdir, { recursive: true, force: true }); });
  return { scaler, host, clock, provider };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(25);
  }
}

describe("BlockScaler + LocalProvider", () => {
  test("init_blocks → a real block; idle past max_idletime → held, drained, then cancelled and retired", async () => {
    const { scaler, host, clock, provider } = setUp(() => ["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    expect(b!.jobId).not.toBeNull();
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.RUNNING);
    host.managers.set(b!.id, [{ id: "m1", capacity: 2, inflight: 0 }]); // its manager registered, idle
    await scaler.poll();
    expect(scaler.blocks()[0]!.registeredAt).not.toBeNull();
    clock.advance(60_000);
    await scaler.poll();
    expect(host.held).toEqual(["m1"]);
    expect(host.drained).toEqual(["m1"]);
    await scaler.poll(); // held and idle → cancelled
    await provider.waitForExit(b!.jobId!);
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.CANCELLED);
    await scaler.poll(); // job ended → retired
    expect(scaler.blocks()).toEqual([]);
  }, 60_000);

  test("a busy held block is not cancelled until its tasks finish", async () => {
    const { scaler, host, provider } = setUp(() => ["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    host.managers.set(b!.id, [{ id: "m1", capacity: 1, inflight: 1 }]);
    host.work = 1;
    expect(await scaler.scaleIn(1)).toEqual([b!.id]);
    await scaler.poll();
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.RUNNING);
    host.managers.set(b!.id, [{ id: "m1", capacity: 1, inflight: 0 }]);
    host.work = 0;
    await scaler.poll();
    await provider.waitForExit(b!.jobId!);
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.CANCELLED);
  }, 60_000);

  test("scale-out on demand: outstanding work beyond capacity submits another block", async () => {
    const { scaler, host } = setUp(() => ["/bin/sleep", "300"], { init_blocks: 1, max_blocks: 3 });
    await scaler.poll();
    const [b] = scaler.blocks();
    host.managers.set(b!.id, [{ id: "m1", capacity: 2, inflight: 2 }]);
    host.work = 4;
    await scaler.poll();
    expect(scaler.blocks().length).toBe(2);
  }, 60_000);

  test("a block that dies before registering is reported with its own stderr, and not resubmitted at once", async () => {
    const { scaler, host, clock, provider } = setUp(() => ["/bin/sh", "-c", "echo 'fx manager: no interchange address answered' >&2; exit 3"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    await provider.waitForExit(b!.jobId!);
    host.work = 5;
    await scaler.poll();
    expect(host.failures.length).toBe(1);
    expect(host.failures[0]!.blockId).toBe(b!.id);
    expect(host.failures[0]!.state).toBe(JobState.FAILED);
    expect(host.failures[0]!.output).toContain("no interchange address answered");
    expect(scaler.blocks()).toEqual([]);
    await scaler.poll(); // back-off: no new block yet
    expect(scaler.blocks()).toEqual([]);
    clock.advance(5_000);
    await scaler.poll();
    expect(scaler.blocks().length).toBe(1);
  }, 60_000);

  test("close() cancels live blocks", async () => {
    const { scaler, provider } = setUp(() => ["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    await scaler.close();
    await provider.waitForExit(b!.jobId!);
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.CANCELLED);
  }, 60_000);
});
