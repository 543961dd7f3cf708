/**
 * Failures through the compiled dist/fx: a manager killed with SIGKILL mid-run (tasks fail with ManagerLost, or
 * re-run with retries; no other task lost or run twice), the interchange killed (every outstanding Promise
 * rejects with InterchangeLost), SIGTERM to the interchange (no stray processes).
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { HighThroughputExecutor, InterchangeLost, RemoteError, configFromObject } from "../../src/index.ts";
import { DIST, executorFor, processesMarked, tempDir, waitFor, usePipelineFixture } from "../helpers/pipeline.ts";

let dir = "";
let ex: HighThroughputExecutor | null = null;

usePipelineFixture(() => ({ dir, ex }), () => {
  dir = "";
  ex = null;
});

/** Runs tasks that each append a line to runs/<i> and sleep, kills one manager with SIGKILL while it has some. */
async function killOneManagerMidRun(retries: number) {
  dir = tempDir(`faults-r${retries}`);
  const runs = path.join(dir, "runs");
  fs.mkdirSync(runs);
  ex = executorFor(dir, { executor: { retries }, provider: { init_blocks: 2, max_blocks: 2 } }, { wantStatus: true });
  const sentTo = new Map<number, Set<string>>();
  ex.onStatus((e) => {
    if (e.state !== "dispatched") return;
    let s = sentTo.get(e.taskId);
    if (!s) sentTo.set(e.taskId, (s = new Set()));
    s.add(e.managerId);
  });
  await ex.start();
  expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
  const n = 16;
  const tasks = Array.from({ length: n }, (_, i) => ex!.submitShell(["bash", "-c", `echo run >> ${runs}/${i}; sleep 0.8`]));
  const settled = Promise.allSettled(tasks);
  let victim = "";
  expect(await waitFor(async () => {
    const o = await ex!.outstanding();
    victim = Object.entries(o.per_manager).find(([, c]) => c > 0)?.[0] ?? "";
    return victim !== "";
  }, 30_000, 20)).toBe(true);
  const info = (await ex.connectedManagers()).find((m) => m.manager_id === victim)!;
  process.kill(info.pid, "SIGKILL");
  const results = await settled;
  const lines = (i: number) => (fs.existsSync(`${runs}/${i}`) ? fs.readFileSync(`${runs}/${i}`, "utf8").split("\n").filter(Boolean).length : 0);
  return { results, tasks, victim, sentTo, lines };
}

describe("pipeline failures (dist/fx)", () => {
  test("a manager killed with SIGKILL: its in-flight tasks fail with ManagerLost; every other task runs exactly once", async () => {
    const { results, tasks, victim, sentTo, lines } = await killOneManagerMidRun(0);
    const lost = results.filter((r) => r.status === "rejected");
    expect(lost.length).toBeGreaterThan(0);
    for (const r of lost) {
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(RemoteError);
      expect(e.code).toBe("E_MANAGER_LOST");
      expect(e.remoteName).toBe("ManagerLost");
      expect(e.managerId).toBe(victim);
    }
    results.forEach((r, i) => {
      if (r.status === "fulfilled") {
        expect(r.value.returncode).toBe(0);
        expect(lines(i)).toBe(1);
      } else expect([...sentTo.get(tasks[i]!.taskId)!]).toEqual([victim]);
    });
  }, 180_000);

  test("with retries, the killed manager's tasks run again elsewhere and all succeed; tasks it never had run once", async () => {
    const { results, tasks, victim, sentTo, lines } = await killOneManagerMidRun(2);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    let rerun = 0;
    results.forEach((_, i) => {
      const managers = sentTo.get(tasks[i]!.taskId)!;
      if (managers.has(victim) && managers.size > 1) rerun++;
      if (!managers.has(victim)) expect(lines(i)).toBe(1);
      else expect(lines(i)).toBeGreaterThanOrEqual(1);
    });
    expect(rerun).toBeGreaterThan(0);
  }, 180_000);

  test("the interchange killed: every outstanding Promise rejects with InterchangeLost", async () => {
    dir = tempDir("faults-ix");
    ex = executorFor(dir);
    await ex.start();
    expect(await ex.submit(() => 1)).toBe(1);
    const outstanding = Array.from({ length: 50 }, () => ex!.submitShell("sleep 30"));
    await Bun.sleep(200);
    process.kill(ex.interchangePid!, "SIGKILL");
    const results = await Promise.allSettled(outstanding);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(InterchangeLost);
      expect(e.code).toBe("E_INTERCHANGE_LOST");
      expect(e.message).toContain("SIGKILL");
    }
    const late = await ex.submit(() => 1).catch((e) => e);
    expect(late).toBeInstanceOf(InterchangeLost);
    // its managers notice the silence (heartbeat_threshold) and leave with their workers
    expect(await waitFor(() => processesMarked(dir).length === 0, 60_000, 200)).toBe(true);
  }, 120_000);

  test("SIGTERM to the interchange: outstanding tasks fail with ShutdownRequest and no fx process is left", async () => {
    dir = tempDir("faults-term");
    ex = executorFor(dir, { provider: { init_blocks: 2, max_blocks: 2 } });
    await ex.start();
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
    const p = ex.submitShell("sleep 30").catch((e) => e);
    await Bun.sleep(300);
    process.kill(ex.interchangePid!, "SIGTERM");
    const e = await p;
    expect(["E_SHUTDOWN", "E_INTERCHANGE_LOST"]).toContain(e.code);
    expect(await waitFor(() => processesMarked(dir).length === 0, 60_000, 100)).toBe(true);
  }, 120_000);

  test("connect() mode: a running endpoint killed → outstanding Promises reject with InterchangeLost in bounded time", async () => {
    dir = tempDir("faults-connect");
    const cfg = path.join(dir, "fx.toml");
    fs.writeFileSync(cfg, `[provider]\ninit_blocks = 0\nmax_blocks = 0\n[logging]\nlogdir = ${JSON.stringify(path.join(dir, "logs"))}\n`);
    const info = path.join(dir, "endpoint.json");
    const endpoint = Bun.spawn([DIST, "executor", "-c", cfg, "--info-file", info], { stdout: "ignore", stderr: "ignore" });
    try {
      expect(await waitFor(() => fs.existsSync(info) && fs.readFileSync(info, "utf8").includes("commands"), 60_000)).toBe(true);
      const urls = JSON.parse(fs.readFileSync(info, "utf8"));
      ex = new HighThroughputExecutor(configFromObject({}), { lostTimeoutMs: 2000 });
      await ex.connect(urls);
      const ps = Array.from({ length: 10 }, () => ex!.submitShell("true").catch((e) => e));
      expect((await ex.outstanding()).queued).toBe(10); // no manager: they wait
      endpoint.kill("SIGKILL");
      for (const e of await Promise.all(ps)) {
        expect(e).toBeInstanceOf(InterchangeLost);
        expect(e.message).toContain("no connection to the interchange");
      }
    } finally {
      endpoint.kill("SIGKILL");
    }
  }, 120_000);

  test("shutdown({ drain: true }) lets outstanding tasks finish first", async () => {
    dir = tempDir("faults-drain");
    ex = executorFor(dir);
    await ex.start();
    expect(await ex.submit(() => 0)).toBe(0);
    const ps = [1, 2, 3].map((i) => ex!.submitShell(`sleep 0.4; echo ${i}`));
    await Bun.sleep(50);
    await ex.shutdown({ drain: true });
    expect((await Promise.all(ps)).map((r) => r.stdout)).toEqual(["1\n", "2\n", "3\n"]);
    expect(await waitFor(() => processesMarked(dir).length === 0, 30_000, 100)).toBe(true);
  }, 120_000);

  test("an interchange replaced behind the same address: the reconnected executor fails its old tasks with InterchangeLost", async () => {
    dir = tempDir("faults-replaced");
    const cfg = path.join(dir, "fx.toml");
    fs.writeFileSync(cfg, `[provider]\ninit_blocks = 0\nmax_blocks = 0\n[logging]\nlogdir = ${JSON.stringify(path.join(dir, "logs"))}\n`);
    const ports = await freePorts(3);
    const start = () => Bun.spawn([DIST, "interchange", "-c", cfg, "--client-ports", ports.join(",")], { stdout: "pipe", stderr: "ignore" });
    const readyOf = async (p: Bun.Subprocess<"ignore", "pipe", "ignore">) => {
      const reader = p.stdout.getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("interchange exited before ready");
        text += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      return JSON.parse(text.slice(text.indexOf("{"), text.indexOf("\n")));
    };
    const first = start();
    let second: Bun.Subprocess | null = null;
    try {
      const ready = await readyOf(first);
      ex = new HighThroughputExecutor(configFromObject({}), { lostTimeoutMs: 30_000 });
      await ex.connect(ready.client);
      const ps = Array.from({ length: 5 }, () => ex!.submitShell("true").catch((e) => e));
      expect((await ex.outstanding()).queued).toBe(5);
      first.kill("SIGKILL");
      await first.exited;
      second = start();
      await readyOf(second as never);
      for (const e of await Promise.all(ps)) {
        expect(e).toBeInstanceOf(InterchangeLost);
        expect(e.message).toContain("replaced");
      }
    } finally {
      first.kill("SIGKILL");
      second?.kill("SIGKILL");
    }
  }, 120_000);
});

describe("an executor process killed (dist/fx)", () => {
  test("SIGKILL of the program that started the executor: its interchange, managers and workers all go away", async () => {
    dir = tempDir("faults-parent");
    const script = path.join(dir, "user-program.ts");
    const index = path.resolve(import.meta.dir, "../../src/index.ts");
    fs.writeFileSync(script, `
import { HighThroughputExecutor } from ${JSON.stringify(index)};
const ex = new HighThroughputExecutor({ executor: { max_workers: 2, heartbeat_period: 1, heartbeat_threshold: 3 }, logging: { logdir: ${JSON.stringify(path.join(dir, "logs"))} } }, { fxCommand: [${JSON.stringify(DIST)}] });
await ex.start();
console.log("answer", await ex.submit(() => 42));
setInterval(() => {}, 1000);
`);
    const user = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "inherit" });
    try {
      const reader = user.stdout.getReader();
      let text = "";
      while (!text.includes("answer 42")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain("answer 42");
      expect(processesMarked(dir).length).toBeGreaterThan(1);
      user.kill("SIGKILL");
      expect(await waitFor(() => processesMarked(dir).length === 0, 60_000, 200)).toBe(true);
    } finally {
      user.kill("SIGKILL");
    }
  }, 120_000);
});

async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }));
  const ports = servers.map((s) => s.port);
  for (const s of servers) s.stop(true);
  return ports;
}
