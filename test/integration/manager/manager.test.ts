/**
 * A real `fx manager` process against a test interchange (our ZMTP ROUTERs speaking the protocol):
 * registration, the three task kinds through real workers, WorkerLost for a task that kills its worker,
 * bad registration, shutdown, drain, SIGTERM, a silent interchange, and no workers left after SIGKILL.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeValue } from "../../../src/protocol/codec.ts";
import { MSG } from "../../../src/protocol/messages.ts";
import { PROTOCOL_VERSION } from "../../../src/version.ts";
import { TestInterchange, until } from "./test-interchange.ts";
import { childrenOf, isAlive, spawnManager, type ManagerProc } from "./spawn-manager.ts";

const fn = (source: string, args: unknown[] = []) => ({ kind: "fn", source, hash: String(Bun.hash(source)), args });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fx-mgr-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let ix: TestInterchange | null = null;
let mgr: ManagerProc | null = null;
const strays: number[] = [];

afterEach(async () => {
  mgr?.kill("SIGKILL");
  if (mgr) await mgr.proc.exited;
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await ix?.close();
  ix = null;
  mgr = null;
});

async function boot(opts: ConstructorParameters<typeof TestInterchange>[0] = {}, flags: string[] = [], env?: Record<string, string>): Promise<{ ix: TestInterchange; mgr: ManagerProc }> {
  ix = new TestInterchange(opts);
  const urls = await ix.start();
  mgr = spawnManager(urls, ["--max-workers", "2", "--heartbeat-period", "1", "--logdir", "", ...flags], env);
  await until(() => ix!.registrations.length === 1, "the manager's registration");
  return { ix, mgr };
}

function value(ix: TestInterchange, id: number): unknown {
  const r = ix.resultsById.get(id)!;
  expect(r.error).toBeUndefined();
  return decodeValue(r.value!);
}

describe("fx manager against a test interchange", () => {
  test("registers with protocol version, host facts and worker count, then runs fn, module and shell tasks", async () => {
    const { ix } = await boot({}, ["--block-id", "block-7"]);
    const reg = ix.registrations[0]!;
    expect(reg.protocol_version).toBe(PROTOCOL_VERSION);
    expect(reg.block_id).toBe("block-7");
    expect(reg.worker_count).toBe(2);
    expect(reg.worker_types).toEqual(["RAW"]);
    expect(reg.cores).toBeGreaterThan(0);
    expect(reg.memory_bytes).toBeGreaterThan(0);
    expect(ix.managerId).toBe(reg.manager_id);
    await until(() => ix.capacity > 0, "a capacity request");

    const ids = ix.submit([
      fn("(a, b) => a * b", [6, 7]),
      fn("async (s) => s.toUpperCase()", ["hi"]),
      { kind: "shell", argv: ["/bin/echo", "shell ok"] },
      fn("() => { throw new RangeError('boom'); }"),
      ...Array.from({ length: 50 }, (_, i) => fn("(i) => i + 1", [i])),
    ]);
    await until(() => ids.every((id) => ix.resultsById.has(id)), "all results");
    expect(value(ix, ids[0]!)).toBe(42);
    expect(value(ix, ids[1]!)).toBe("HI");
    expect((value(ix, ids[2]!) as { stdout: string }).stdout).toBe("shell ok\n");
    expect(ix.resultsById.get(ids[3]!)!.error?.name).toBe("RangeError");
    for (let i = 0; i < 50; i++) expect(value(ix, ids[4 + i]!)).toBe(i + 1);
    // A burst of short tasks: hand-offs deepen and big result batches are forwarded as they are.
    const burst = ix.submit(Array.from({ length: 5000 }, (_, i) => fn("(i) => i * 3", [i])));
    await until(() => burst.every((id) => ix.resultsById.has(id)), "the burst's results");
    burst.forEach((id, i) => expect(value(ix, id)).toBe(i * 3));
  });

  test("large payloads both ways travel in bounded hand-offs", async () => {
    const { ix } = await boot();
    await until(() => ix.capacity > 0, "a capacity request");
    const big = "y".repeat(3 * 1024 * 1024);
    const ids = ix.submit(Array.from({ length: 6 }, (_, i) => fn("(s, i) => s.length + i + ':' + s.slice(0, 2 + i)", [big, i])));
    await until(() => ids.every((id) => ix.resultsById.has(id)), "all results");
    ids.forEach((id, i) => expect(value(ix, id)).toBe(`${big.length + i}:${"y".repeat(2 + i)}`));
    const echo = ix.submit([fn("(n) => 'z'.repeat(n)", [5 * 1024 * 1024])]);
    await until(() => ix.resultsById.has(echo[0]!), "the big result");
    expect((value(ix, echo[0]!) as string).length).toBe(5 * 1024 * 1024);
  });

  test("a task that kills its worker fails with WorkerLost; the worker is replaced and the others complete", async () => {
    const { ix } = await boot();
    await until(() => ix.capacity > 0, "a capacity request");
    const before = ix.submit(Array.from({ length: 5 }, (_, i) => fn("(i) => i", [i])));
    await until(() => before.every((id) => ix.resultsById.has(id)), "first results");
    const [killer] = ix.submit([fn("() => { process.kill(process.pid, 'SIGKILL'); }")]);
    const after = ix.submit(Array.from({ length: 20 }, (_, i) => fn("async (i) => i * 10", [i])));
    await until(() => ix.resultsById.has(killer!) && after.every((id) => ix.resultsById.has(id)), "the killer's and the later results");
    const lost = ix.resultsById.get(killer!)!;
    expect(lost.error?.name).toBe("WorkerLost");
    expect(lost.error?.code).toBe("E_WORKER_LOST");
    expect(lost.error?.message).toContain("SIGKILL");
    for (let i = 0; i < 20; i++) expect(value(ix, after[i]!)).toBe(i * 10);
    // Replaced: the pool is back to two workers.
    await until(() => childrenOf(mgr!.proc.pid).length === 2, "two live workers again");
  });

  test("a refused registration is logged clearly and the manager exits non-zero", async () => {
    const { mgr } = await boot({ refuseWith: "protocol version 99 is not supported" });
    const code = await mgr.proc.exited;
    expect(code).not.toBe(0);
    await until(() => mgr.stderr().includes("refused"), "the refusal in the log", 5000);
    expect(mgr.stderr()).toContain("protocol version 99 is not supported");
  });

  test("shutdown: the manager exits 0 and leaves no workers", async () => {
    const { ix, mgr } = await boot();
    await until(() => childrenOf(mgr.proc.pid).length === 2, "two workers");
    const workers = childrenOf(mgr.proc.pid);
    strays.push(...workers);
    ix.send({ type: MSG.shutdown, reason: "test over" });
    expect(await mgr.proc.exited).toBe(0);
    await until(() => workers.every((p) => !isAlive(p)), "the workers to exit");
  });

  test("drain: capacity goes to 0, running work finishes and is reported, then the manager exits 0", async () => {
    const { ix, mgr } = await boot();
    await until(() => ix.capacity > 0, "a capacity request");
    const marker = path.join(tmp, "drain-started");
    const [slow] = ix.submit([{ kind: "shell", argv: ["/bin/sh", "-c", 'touch "$1"; sleep 1; echo done', "sh", marker] }]);
    await until(() => fs.existsSync(marker), "the task to start on a worker");
    ix.send({ type: MSG.drain, reason: "test drain" });
    expect(await mgr.proc.exited).toBe(0);
    expect((value(ix, slow!) as { stdout: string }).stdout).toBe("done\n");
    const lastRequest = ix.received.filter((m) => m.type === MSG.request).at(-1);
    expect(lastRequest).toMatchObject({ type: MSG.request, capacity: 0 });
  });

  test("SIGTERM drains: the running task's result is delivered before exit 0", async () => {
    const { ix, mgr } = await boot();
    await until(() => ix.capacity > 0, "a capacity request");
    const marker = path.join(tmp, "term-started");
    const [slow] = ix.submit([{ kind: "shell", argv: ["/bin/sh", "-c", 'touch "$1"; sleep 1; echo term', "sh", marker] }]);
    await until(() => fs.existsSync(marker), "the task to start on a worker");
    mgr.kill("SIGTERM");
    expect(await mgr.proc.exited).toBe(0);
    expect((value(ix, slow!) as { stdout: string }).stdout).toBe("term\n");
  });

  test("an interchange silent past the heartbeat threshold: the manager exits and takes its workers along", async () => {
    const { mgr } = await boot({ heartbeatPeriod: 1, heartbeatThreshold: 2 });
    await until(() => childrenOf(mgr.proc.pid).length === 2, "two workers");
    const workers = childrenOf(mgr.proc.pid);
    strays.push(...workers);
    const code = await mgr.proc.exited;
    expect(code).not.toBe(0);
    expect(mgr.stderr()).toContain("silent");
    await until(() => workers.every((p) => !isAlive(p)), "the workers to exit");
  });

  test("SIGKILL of the manager leaves no worker running, nor the shell task a worker was running", async () => {
    const { ix, mgr } = await boot();
    await until(() => childrenOf(mgr.proc.pid).length === 2, "two workers");
    const workers = childrenOf(mgr.proc.pid);
    strays.push(...workers);
    await until(() => ix.capacity > 0, "a capacity request");
    const marker = path.join(tmp, "orphan-started");
    ix.submit([{ kind: "shell", argv: ["/bin/sh", "-c", 'echo $$ > "$1"; exec sleep 60', "sh", marker] }]);
    await until(() => fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() !== "", "the shell task to start");
    const shellPid = Number(fs.readFileSync(marker, "utf8"));
    strays.push(shellPid);
    mgr.kill("SIGKILL");
    await mgr.proc.exited;
    await until(() => workers.every((p) => !isAlive(p)), "the orphaned workers to exit", 30_000);
    await until(() => !isAlive(shellPid), "the orphaned shell task to be killed", 30_000);
  });

  test("a worker stuck in a CPU-bound task still goes when its manager is SIGKILLed (parent-death signal)", async () => {
    const { ix, mgr } = await boot();
    await until(() => childrenOf(mgr.proc.pid).length === 2, "two workers");
    const workers = childrenOf(mgr.proc.pid);
    strays.push(...workers);
    await until(() => ix.capacity > 0, "a capacity request");
    const marker = path.join(tmp, "spin-started");
    ix.submit([fn("(m) => { Bun.spawnSync(['touch', m]); for (;;) {} }", [marker])]);
    await until(() => fs.existsSync(marker), "the busy task to start");
    mgr.kill("SIGKILL");
    await mgr.proc.exited;
    await until(() => workers.every((p) => !isAlive(p)), "the workers, busy one included, to exit", 30_000);
  });

  test("idle workers stop after worker_max_idletime (one is kept) and come back when work arrives", async () => {
    const { ix, mgr } = await boot({}, ["--worker-max-idletime", "1"]);
    await until(() => childrenOf(mgr.proc.pid).length === 2, "two workers");
    await until(() => childrenOf(mgr.proc.pid).length === 1, "one idle worker to be stopped", 30_000);
    await until(() => ix.capacity > 0, "a capacity request");
    const ids = ix.submit(Array.from({ length: 4 }, (_, i) => ({ kind: "shell", argv: ["/bin/sh", "-c", `sleep 0.5; echo ${i}`] })));
    await until(() => childrenOf(mgr.proc.pid).length === 2, "the pool to grow again");
    await until(() => ids.every((id) => ix.resultsById.has(id)), "all results");
    ids.forEach((id, i) => expect((value(ix, id) as { stdout: string }).stdout).toBe(`${i}\n`));
  });

  test("a TMPDIR too long for an ipc socket path: the worker channel falls back and tasks still run", async () => {
    const longTmp = path.join(tmp, "t".repeat(110));
    fs.mkdirSync(longTmp, { recursive: true });
    const { ix } = await boot({}, [], { TMPDIR: longTmp });
    await until(() => ix.capacity > 0, "a capacity request");
    const ids = ix.submit([fn("() => 'fine'")]);
    await until(() => ids.every((id) => ix.resultsById.has(id)), "the result");
    expect(value(ix, ids[0]!)).toBe("fine");
  });
});
