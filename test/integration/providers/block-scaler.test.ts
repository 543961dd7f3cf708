/**
 * The scaling strategy (src/scaling) as the interchange's I/O shell (src/interchange/blocks.ts) drives it,
 * with the real LocalProvider and real processes. The interchange's registry is played by a small host
 * object the test controls (which managers a block has); blocks run `sleep` (or a failing command)
 * instead of a manager, through a provider that wraps LocalProvider and swaps the command.
 */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type FxConfig } from "../../../src/config/schema.ts";
import { Blocks, type BlockHost } from "../../../src/interchange/blocks.ts";
import { LocalProvider } from "../../../src/providers/local.ts";
import { JobState, type Provider } from "../../../src/providers/provider.ts";
import { createLogger } from "../../../src/util/log.ts";
import { ManualClock } from "../../../src/util/clock.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

class Host implements BlockHost {
  readonly taskUrl = "tcp://127.0.0.1:1";
  readonly resultUrl = "tcp://127.0.0.1:2";
  readonly managers = new Map<string, { id: string; workers: number; inflight: number }[]>();
  readonly held: string[] = [];
  readonly drained: string[] = [];
  work = 0;
  managersOf(blockId: string) { return this.managers.get(blockId) ?? []; }
  hold(id: string) { this.held.push(id); }
  drain(id: string) { this.drained.push(id); }
  outstanding() { return this.work; }
}

/** LocalProvider running `command` instead of the manager argv the interchange built. */
function swapping(local: LocalProvider, command: string[]): Provider {
  return {
    type: "local",
    submit: (_argv, tasksPerNode, jobName) => local.submit(command, tasksPerNode, jobName),
    status: (ids) => local.status(ids),
    cancel: (ids) => local.cancel(ids),
    close: () => local.close(),
  };
}

interface Failure { message: string; output: string }

function setUp(command: string[], over: Partial<FxConfig["provider"]> = {}) {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-scaler-"));
  const config: FxConfig = { ...DEFAULTS, provider: { ...DEFAULTS.provider, init_blocks: 1, max_blocks: 2, max_idletime: 60, ...over }, logging: { ...DEFAULTS.logging, logdir } };
  const provider = new LocalProvider({ worker_init: "", killGraceMs: 1000 }, { logdir });
  const host = new Host();
  const clock = new ManualClock(1_000_000);
  // Failure reports go to the log: keep its lines to check them.
  const logFile = path.join(logdir, "blocks.log");
  const log = createLogger({ name: "blocks", level: "info", logdir, stderr: false });
  const failures = (): Failure[] => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "").split("\n")
    .filter((l) => l.includes(" ERROR ") && l.includes("before any manager registered"))
    .map((l) => ({ message: l, output: l }));
  const blocks = new Blocks(config, host, log, swapping(provider, command));
  const scaler = {
    poll: () => blocks.poll(clock.now()),
    scaleIn: (n: number) => blocks.scaleIn(n, undefined, clock.now()),
    blocks: () => blocks.list().map((b) => ({ id: b.block_id, jobId: b.job_id, registered: b.managers > 0 })),
  };
  cleanups.push(async () => { await blocks.close(); log.close(); fs.rmSync(logdir, { recursive: true, force: true }); });
  return { scaler, host, clock, provider, failures };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(25);
  }
}

describe("interchange Blocks (src/scaling strategy) + LocalProvider", () => {
  test("init_blocks → a real block; idle past max_idletime → held, drained, then cancelled and retired", async () => {
    const { scaler, host, clock, provider } = setUp(["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    expect(b!.jobId).not.toBeNull();
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.RUNNING);
    host.managers.set(b!.id, [{ id: "m1", workers: 2, inflight: 0 }]); // its manager registered, idle
    await scaler.poll();
    expect(scaler.blocks()[0]!.registered).toBe(true);
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
    const { scaler, host, provider } = setUp(["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    host.managers.set(b!.id, [{ id: "m1", workers: 1, inflight: 1 }]);
    host.work = 1;
    expect(await scaler.scaleIn(1)).toEqual([b!.id]);
    await scaler.poll();
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.RUNNING);
    host.managers.set(b!.id, [{ id: "m1", workers: 1, inflight: 0 }]);
    host.work = 0;
    await scaler.poll();
    await provider.waitForExit(b!.jobId!);
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.CANCELLED);
  }, 60_000);

  test("scale-out on demand: outstanding work beyond capacity submits another block", async () => {
    const { scaler, host } = setUp(["/bin/sleep", "300"], { init_blocks: 1, max_blocks: 3 });
    await scaler.poll();
    const [b] = scaler.blocks();
    host.managers.set(b!.id, [{ id: "m1", workers: 2, inflight: 2 }]);
    host.work = 4;
    await scaler.poll();
    expect(scaler.blocks().length).toBe(2);
  }, 60_000);

  test("a block that dies before registering is reported with its own stderr, and not resubmitted at once", async () => {
    const { scaler, host, clock, provider, failures } = setUp(["/bin/sh", "-c", "echo 'fx manager: no interchange address answered' >&2; exit 3"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    await provider.waitForExit(b!.jobId!);
    host.work = 5;
    await scaler.poll();
    const reports = failures();
    expect(reports.length).toBe(1);
    expect(reports[0]!.message).toContain(`block ${b!.id} (job ${b!.jobId})`);
    expect(reports[0]!.message).toContain("FAILED");
    expect(reports[0]!.output).toContain("no interchange address answered");
    expect(scaler.blocks()).toEqual([]);
    await scaler.poll(); // back-off: no new block yet
    expect(scaler.blocks()).toEqual([]);
    clock.advance(5_000);
    await scaler.poll();
    expect(scaler.blocks().length).toBe(1);
  }, 60_000);

  test("close() cancels live blocks", async () => {
    const { scaler, provider } = setUp(["/bin/sleep", "300"]);
    await scaler.poll();
    const [b] = scaler.blocks();
    await cleanups.pop()!();
    await provider.waitForExit(b!.jobId!);
    expect((await provider.status([b!.jobId!])).get(b!.jobId!)!.state).toBe(JobState.CANCELLED);
  }, 60_000);
});
