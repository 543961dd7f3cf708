/**
 * Walltime-aware dispatch through real processes: the interchange in this process on real sockets, real
 * `fx manager` processes (src/cli.ts) started with different --walltime, our executor as the client.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { configFromObject } from "../../../src/config/load.ts";
import { HighThroughputExecutor, type StatusEvent } from "../../../src/index.ts";
import { Interchange, type InterchangeUrls } from "../../../src/interchange/interchange.ts";
import { systemClock } from "../../../src/util/clock.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { spawnManager, type ManagerProc } from "../manager/spawn-manager.ts";

let ix: Interchange | null = null;
const managers: ManagerProc[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const m of managers.splice(0)) m.kill("SIGKILL");
  await ix?.shutdown("test over", false);
  ix = null;
});

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

async function startInterchange(): Promise<InterchangeUrls> {
  const config = configFromObject({ executor: { heartbeat_period: 1, heartbeat_threshold: 10 }, provider: { init_blocks: 0 } });
  ix = new Interchange({
    config, clientAddress: "127.0.0.1", clientPorts: null, workerPorts: null, workerPortRange: [54000, 55000],
    workerBindAddress: "127.0.0.1", manageBlocks: false,
  }, silentLogger, systemClock);
  return ix.start();
}

function manager(urls: InterchangeUrls, uid: string, extra: string[]): ManagerProc {
  const m = spawnManager({ taskUrl: urls.task_url, resultUrl: urls.result_url }, [
    "--uid", uid, "--max-workers", "2", "--heartbeat-period", "1", "--heartbeat-threshold", "10", "--poll", "50", "--logdir", "", ...extra,
  ]);
  managers.push(m);
  return m;
}

describe("walltime-aware dispatch (real manager processes)", () => {
  test("a task declared longer than a manager's walltime goes only to the manager with time for it; untimed tasks run anywhere; one nobody fits stays queued", async () => {
    const urls = await startInterchange();
    const spawnedAt = Date.now();
    manager(urls, "wt-long", ["--walltime", "02:00:00"]);
    manager(urls, "wt-short", ["--walltime", "300", "--walltime-drain", "5"]);
    await until(() => ix!.core.managers.size === 2, "both registrations");
    const registeredAt = Date.now();
    const endOf = (id: string) => ix!.core.managers.get(id)!.reg.walltime_end_ms!;
    // the end is counted from the manager's own start: between spawn and registration, plus the walltime
    expect(endOf("wt-long")).toBeGreaterThanOrEqual(spawnedAt + 7_200_000);
    expect(endOf("wt-long")).toBeLessThanOrEqual(registeredAt + 7_200_000);
    expect(endOf("wt-short")).toBeGreaterThanOrEqual(spawnedAt + 300_000);
    expect(endOf("wt-short")).toBeLessThanOrEqual(registeredAt + 300_000);

    const ex = new HighThroughputExecutor(configFromObject({}), { wantStatus: true });
    closers.push(() => ex.shutdown());
    const dispatchedTo = new Map<number, string>();
    ex.onStatus((e: StatusEvent) => {
      if (e.state === "dispatched") dispatchedTo.set(e.taskId, e.managerId);
    });
    await ex.connect(urls.client);
    const long = Array.from({ length: 8 }, (_, i) => ex.with({ duration: 1800 }).submitShell(`echo long-${i}`));
    const untimed = Array.from({ length: 8 }, (_, i) => ex.submitShell(["sleep", "0.2"]).then(() => i));
    const never = ex.with({ duration: 86_400 }).submitShell("echo never");
    never.catch(() => {}); // fails with E_SHUTDOWN at the end of the test
    expect((await Promise.all(long)).map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `long-${i}\n`));
    expect(await Promise.all(untimed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const p of long) expect(dispatchedTo.get(p.taskId)).toBe("wt-long");
    // the day-long task fits neither block: it waits in the queue (a new block might fit it)
    const o = await ex.outstanding();
    expect(o.queued).toBe(1);
    expect(o.in_flight).toBe(0);
    expect(dispatchedTo.has(never.taskId)).toBe(false);
  }, 180_000);

  test("a manager stops asking for work a drain period before its walltime end, finishes what it holds, and leaves before the end", async () => {
    const urls = await startInterchange();
    // 60 s of walltime, drain 54 s before the end: it drains about 6 s after it starts
    const m = manager(urls, "wt-drain", ["--walltime", "60", "--walltime-drain", "54"]);
    await until(() => ix!.core.managers.size === 1, "the registration");
    const end = ix!.core.managers.get("wt-drain")!.reg.walltime_end_ms!;
    const ex = new HighThroughputExecutor(configFromObject({}), { wantStatus: true });
    closers.push(() => ex.shutdown());
    const dispatched = new Set<number>();
    ex.onStatus((e) => {
      if (e.state === "dispatched") dispatched.add(e.taskId);
    });
    await ex.connect(urls.client);
    const held = ex.submitShell("sleep 2; echo held");
    held.catch(() => {});
    const code = await m.proc.exited;
    const exitedAt = Date.now();
    expect(code).toBe(0);
    expect(m.stderr()).toContain("walltime drain");
    expect(exitedAt).toBeLessThan(end); // it left on its own, before its block's end
    if (dispatched.has(held.taskId)) {
      // it held the task when the drain began: finished, not dropped
      expect((await held).stdout).toBe("held\n");
    } else {
      // (a very slow start: the drain began before the task arrived) it asked for nothing more, so it is still queued
      const o = await ex.outstanding();
      expect(o.queued).toBe(1);
    }
  }, 120_000);
});
