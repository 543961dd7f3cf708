/**
 * The executor library ↔ compiled dist/fx (interchange → local provider → manager → workers): every task kind,
 * refusals, status events, 100,000 no-op tasks, held managers, clean shutdown.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { HighThroughputExecutor, RemoteError, type StatusEvent } from "../../src/index.ts";
import { executorFor, processesMarked, tempDir, waitFor, usePipelineFixture } from "../helpers/pipeline.ts";

let dir = "";
let ex: HighThroughputExecutor | null = null;

usePipelineFixture(() => ({ dir, ex }), () => {
  dir = "";
  ex = null;
});

describe("executor ↔ dist/fx pipeline", () => {
  test("function, shell (string and argv), module export and remote errors come back correctly", async () => {
    dir = tempDir("pipe-kinds");
    fs.writeFileSync(path.join(dir, "mod.ts"), "export function triple(x: number) { return { x, y: x * 3 }; }\n");
    ex = executorFor(dir);
    await ex.start();
    expect(await ex.submit((a: number, b: number) => a + b, 2, 40)).toBe(42);
    expect(await ex.submit(async (s: string) => s.toUpperCase(), "abc")).toBe("ABC");
    const sh = await ex.submitShell("echo out; echo err >&2; exit 3");
    expect([sh.returncode, sh.stdout, sh.stderr]).toEqual([3, "out\n", "err\n"]);
    const argv = await ex.submitShell(["printf", "%s|", "a b", "c"], { env: { X: "1" } });
    expect(argv.stdout).toBe("a b|c|");
    expect(await ex.submitModule(path.join(dir, "mod.ts"), "triple", 5)).toEqual({ x: 5, y: 15 });
    const err = await ex.submit(() => {
      throw new TypeError("boom");
    }).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.remoteName).toBe("TypeError");
    expect(err.remoteMessage).toBe("boom");
    expect(typeof err.host).toBe("string");
    const mapped = await ex.map((x: number) => x * x, [1, 2, 3, 4]);
    expect(mapped).toEqual([1, 4, 9, 16]);
  }, 120_000);

  test("launch_cmd: the block starts its manager through the given line (here: env setting a variable), and tasks run there", async () => {
    dir = tempDir("pipe-launch-cmd");
    ex = executorFor(dir, { executor: { launch_cmd: "env FX_VIA_LAUNCH_CMD=block-{block_id} {fx} {args}" } });
    await ex.start();
    const r = await ex.submitShell('echo "$FX_VIA_LAUNCH_CMD"');
    expect(r.stdout).toBe("block-0\n"); // set only by the launch_cmd, inherited by the manager, its worker and the task
    expect(await ex.submit((a: number) => a + 1, 41)).toBe(42);
    const script = fs.readdirSync(path.join(dir, "logs", "submit_scripts")).find((f) => f.endsWith(".sh"))!;
    expect(fs.readFileSync(path.join(dir, "logs", "submit_scripts", script), "utf8")).toContain("/bin/sh -c 'env FX_VIA_LAUNCH_CMD=block-0 ");
  }, 120_000);

  test("a payload over max_payload_bytes is refused at submit, synchronously, with a clear error", async () => {
    dir = tempDir("pipe-limit");
    ex = executorFor(dir, { executor: { max_payload_bytes: 10_000 } });
    await ex.start();
    const p = ex.submit((s: string) => s.length, "x".repeat(20_000));
    expect(p.taskId).toBe(-1); // never queued
    const e = await p.catch((x) => x);
    expect(e.code).toBe("E_PAYLOAD_TOO_LARGE");
    expect(e.message).toContain("max_payload_bytes");
    expect(await ex.submit((s: string) => s.length, "small")).toBe(5); // the executor still works
  }, 120_000);

  test("payloads and results of every size class, around the attachment-frame threshold up to MiBs, come back intact", async () => {
    dir = tempDir("pipe-sizes");
    ex = executorFor(dir);
    await ex.start();
    // Each task gets bytes of a given length and returns them reversed plus their sum, so a payload mixed up with
    // another task's, truncated or shifted would show. 16 KiB is where payloads/values leave the msgpack map.
    const sizes = [0, 1, 16_000, 16_383, 16_384, 16_400, 100 * 1024, 1024 * 1024 + 3, 5 * 1024 * 1024];
    const inputs = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k * 7) & 0xff));
    const rs = await Promise.all(
      inputs.flatMap((b) => [0, 1, 2].map(() => ex!.submit((x: Uint8Array) => {
        let sum = 0;
        for (const v of x) sum += v;
        return { back: Uint8Array.from(x).reverse(), sum };
      }, b))),
    );
    rs.forEach((r, j) => {
      const want = inputs[Math.floor(j / 3)]!;
      expect(r.back.length).toBe(want.length);
      expect(Buffer.from(r.back).reverse().equals(Buffer.from(want))).toBe(true);
      expect(r.sum).toBe(want.reduce((a, v) => a + v, 0));
    });
  }, 180_000);

  test("status events report pending → dispatched → running → done for a task, with its manager; a client without the stream gets none", async () => {
    dir = tempDir("pipe-status");
    ex = executorFor(dir, {}, { wantStatus: true });
    const seen: StatusEvent[] = [];
    ex.onStatus((e) => seen.push(e));
    await ex.start();
    // a second client on the same endpoint, without the status stream
    const quiet = new HighThroughputExecutor({});
    const quietSeen: StatusEvent[] = [];
    quiet.onStatus((e) => quietSeen.push(e));
    try {
      await quiet.connect(ex.urls!);
      const q = quiet.submitShell("sleep 0.3; echo quiet");
      const p = ex.submit(() => 7);
      expect(await p).toBe(7);
      expect((await q).stdout).toBe("quiet\n");
      await waitFor(() => seen.some((e) => e.taskId === p.taskId && e.state === "done"), 10_000);
      const states = seen.filter((e) => e.taskId === p.taskId).map((e) => e.state);
      expect(states).toEqual(["pending", "dispatched", "running", "done"]);
      const mgr = seen.find((e) => e.state === "dispatched")!.managerId;
      expect(seen.find((e) => e.state === "running")!.managerId).toBe(mgr);
      expect((await ex.connectedManagers()).map((m) => m.manager_id)).toContain(mgr);
      expect(quietSeen).toEqual([]);
    } finally {
      await quiet.shutdown().catch(() => {});
    }
  }, 120_000);

  test("100,000 no-op tasks: every result correct", async () => {
    dir = tempDir("pipe-100k");
    ex = executorFor(dir);
    await ex.start();
    const n = 100_000;
    const ps: Promise<number>[] = new Array(n);
    for (let i = 0; i < n; i++) ps[i] = ex.submit((x: number) => x, i);
    const rs = await Promise.all(ps);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (rs[i] !== i) wrong++;
    expect(wrong).toBe(0);
    const o = await ex.outstanding();
    expect(o.total).toBe(0);
  }, 600_000);

  test("a held manager gets no new tasks and its running tasks finish", async () => {
    dir = tempDir("pipe-hold");
    ex = executorFor(dir, { provider: { init_blocks: 2, max_blocks: 2 } }, { wantStatus: true });
    const dispatchedTo = new Map<number, string>();
    ex.onStatus((e) => {
      if (e.state === "dispatched") dispatchedTo.set(e.taskId, e.managerId);
    });
    await ex.start();
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
    const first = [0, 1, 2, 3].map(() => ex!.submitShell("sleep 1.5; echo first"));
    let held = "";
    expect(await waitFor(async () => {
      const o = await ex!.outstanding();
      held = Object.entries(o.per_manager).find(([, n]) => n > 0)?.[0] ?? "";
      return held !== "";
    }, 30_000, 20)).toBe(true);
    await ex.holdManager(held);
    const later = Array.from({ length: 20 }, (_, i) => ex!.submit((x: number) => x + 1, i));
    expect(await Promise.all(later)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const p of later) expect(dispatchedTo.get(p.taskId)).not.toBe(held);
    const firstResults = await Promise.all(first);
    expect(firstResults.every((r) => r.stdout === "first\n")).toBe(true);
    const info = (await ex.connectedManagers()).find((m) => m.manager_id === held)!;
    expect(info.held).toBe(true);
  }, 180_000);

  test("shutdown() leaves no process behind (interchange, managers, workers)", async () => {
    dir = tempDir("pipe-shutdown");
    ex = executorFor(dir, { provider: { init_blocks: 2, max_blocks: 2 } });
    await ex.start();
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
    expect(await ex.submit(() => 1)).toBe(1);
    expect(processesMarked(dir).length).toBeGreaterThan(0);
    await ex.shutdown();
    expect(await waitFor(() => processesMarked(dir).length === 0, 30_000, 100)).toBe(true);
    const late = await ex.submit(() => 1).catch((e) => e);
    expect(late.code).toBe("E_EXECUTOR_SHUT_DOWN");
  }, 120_000);

  test("scale_out adds a block, scale_in drains and removes one; blocks() reports them", async () => {
    dir = tempDir("pipe-scale");
    ex = executorFor(dir, { provider: { init_blocks: 1, max_blocks: 2, max_idletime: 3600 } });
    await ex.start();
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 1, 60_000, 200)).toBe(true);
    const out = await ex.scaleOut(1);
    expect(out.block_ids.length).toBe(1);
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 2, 60_000, 200)).toBe(true);
    expect((await ex.scaleOut(5)).block_ids).toEqual([]); // max_blocks
    const gone = await ex.scaleIn(1);
    expect(gone.block_ids.length).toBe(1);
    expect(await waitFor(async () => (await ex!.connectedManagers()).length === 1, 60_000, 200)).toBe(true);
    expect(await ex.submit(() => "still served")).toBe("still served");
    const blocks = (await ex.blocks()) as { block_id: string; held: boolean }[];
    const drained = blocks.find((b) => b.block_id === gone.block_ids[0]);
    expect(drained === undefined || drained.held).toBe(true); // held until its job ended, then retired
    expect(blocks.filter((b) => !b.held).length).toBe(1);
  }, 180_000);

  test("with init_blocks = 0, waiting work makes the strategy start a block", async () => {
    dir = tempDir("pipe-autoscale");
    ex = executorFor(dir, { provider: { init_blocks: 0, min_blocks: 0, max_blocks: 1 } });
    await ex.start();
    expect((await ex.connectedManagers()).length).toBe(0);
    expect(await ex.submit((x: number) => x * 10, 4)).toBe(40);
    expect((await ex.blocks()).length).toBe(1);
  }, 120_000);
});
