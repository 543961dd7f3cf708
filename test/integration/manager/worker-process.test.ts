/**
 * A real `fx worker` process against a ROUTER of ours playing its manager: hello, a hand-off answered in order,
 * --single-use runs exactly one task and exits 0, and a worker exits when its manager goes away.
 */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeValue, decodeWorkerToManager, encode } from "../../../src/protocol/codec.ts";
import { MSG, type WireResult, type WorkerToManager } from "../../../src/protocol/messages.ts";
import { Router } from "../../../src/zmtp/index.ts";
import { until } from "./test-interchange.ts";

const CLI = path.resolve(import.meta.dir, "../../../src/cli.ts");
let router: Router | null = null;
let proc: ReturnType<typeof Bun.spawn> | null = null;
let dir = "";

afterEach(async () => {
  proc?.kill("SIGKILL");
  await proc?.exited;
  await router?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  proc = null;
  router = null;
});

async function start(extra: string[] = []) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-worker-test-"));
  router = new Router();
  const url = `ipc://${path.join(dir, "w.sock")}`;
  await router.bind(url);
  const got: WorkerToManager[] = [];
  router.onMessage = (frames) => got.push(decodeWorkerToManager(frames.slice(1)));
  proc = Bun.spawn([process.execPath, CLI, "worker", "--manager-url", url, "--worker-id", "wk-1", "--logdir", "", ...extra], {
    stdin: "ignore", stdout: "ignore", stderr: "ignore",
  });
  await until(() => got.length > 0, "the worker's hello");
  const results = (): WireResult[] => got.flatMap((m) => (m.type === MSG.results ? m.results : []));
  const give = (ids: number[]) =>
    router!.trySend(["wk-1", encode({ type: MSG.tasks, tasks: ids.map((id) => ({ id, task_type: "RAW", payload: encode({ kind: "fn", source: "(x) => x * x", hash: "sq", args: [id] }) })) })]);
  return { got, results, give };
}

describe("fx worker process", () => {
  test("hello first, then a hand-off answered in order", async () => {
    const { got, results, give } = await start();
    expect(got[0]).toMatchObject({ type: MSG.workerHello, worker_id: "wk-1", worker_type: "RAW", single_use: false });
    give([1, 2, 3, 4]);
    await until(() => results().length === 4, "four results");
    expect(results().map((r) => [r.id, decodeValue(r.value!)])).toEqual([[1, 1], [2, 4], [3, 9], [4, 16]]);
  });

  test("--single-use: exactly one task, then exit 0", async () => {
    const { got, results, give } = await start(["--single-use"]);
    expect(got[0]).toMatchObject({ single_use: true });
    give([5, 6]);
    expect(await proc!.exited).toBe(0);
    expect(results().map((r) => r.id)).toEqual([5]);
  });

  test("the manager going away ends the worker", async () => {
    await start();
    await router!.close();
    router = null;
    expect(await proc!.exited).toBe(0);
  });

  test("a task's stray async failures (unhandled rejection, throwing timer) do not kill the worker", async () => {
    const { results, give } = await start();
    router!.trySend(["wk-1", encode({ type: MSG.tasks, tasks: [{ id: 50, task_type: "RAW", payload: encode({ kind: "fn", source: "() => { Promise.reject(new Error('stray')); setTimeout(() => { throw new Error('late'); }, 0); return 'ok'; }", hash: "stray", args: [] }) }] })]);
    await until(() => results().length === 1, "the stray task's result");
    expect(decodeValue(results()[0]!.value!)).toBe("ok");
    await Bun.sleep(100); // give the stray timer its turn (the assertion below is about survival, not timing)
    give([7, 8]);
    await until(() => results().length === 3, "later results from the same worker");
    expect(results().slice(1).map((r) => decodeValue(r.value!))).toEqual([49, 64]);
    expect(proc!.exitCode).toBeNull();
  });
});
