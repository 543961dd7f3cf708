/**
 * Worker failures through the compiled dist/fx (executor → interchange → manager → workers): a task that kills
 * its worker fails with WorkerLost while the others complete and the worker is replaced; SIGKILL of a manager
 * leaves none of its workers running.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import { RemoteError, type HighThroughputExecutor } from "../../src/index.ts";
import { executorFor, processesMarked, tempDir, waitFor, usePipelineFixture } from "../helpers/pipeline.ts";

let dir = "";
let ex: HighThroughputExecutor | null = null;

usePipelineFixture(() => ({ dir, ex }), () => {
  dir = "";
  ex = null;
});

/** Live worker processes started for this test (their argv carries the test's log dir). */
function workerPids(mark: string): number[] {
  return processesMarked(mark).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("worker");
    } catch {
      return false;
    }
  });
}

describe("worker failures (dist/fx)", () => {
  test("a task that kills its worker fails with WorkerLost; the others complete and the worker is replaced", async () => {
    dir = tempDir("worker-lost");
    ex = executorFor(dir);
    await ex.start();
    expect(await ex.submit((a: number, b: number) => a + b, 2, 3)).toBe(5);
    const before = Array.from({ length: 20 }, (_, i) => ex!.submit((x: number) => x * 2, i));
    // Handlers attached at once: whichever failure settles first must not be an unhandled rejection.
    const killer = ex.submit(() => {
      process.kill(process.pid, "SIGKILL");
    }).then(() => null, (e) => e);
    const exiter = ex.submit(() => process.exit(7)).then(() => null, (e) => e);
    const after = Array.from({ length: 20 }, (_, i) => ex!.submit(async (x: number) => x + 100, i));

    const k = await killer;
    expect(k).toBeInstanceOf(RemoteError);
    expect(k.code).toBe("E_WORKER_LOST");
    expect(k.remoteName).toBe("WorkerLost");
    expect(k.message).toContain("SIGKILL");
    const x = await exiter;
    expect(x).toBeInstanceOf(RemoteError);
    expect(x.code).toBe("E_WORKER_LOST");
    expect(x.message).toContain("exit code 7");
    expect(await Promise.all(before)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(await Promise.all(after)).toEqual(Array.from({ length: 20 }, (_, i) => i + 100));
    // Replaced: the pool (max_workers = 2) is whole again and keeps serving.
    expect(await waitFor(() => workerPids(dir).length === 2, 60_000, 100)).toBe(true);
    expect(await ex.submit(() => "still serving")).toBe("still serving");
  }, 180_000);

  test("SIGKILL of a manager leaves none of its workers running", async () => {
    dir = tempDir("manager-kill");
    ex = executorFor(dir);
    await ex.start();
    expect(await ex.submit(() => 1)).toBe(1);
    expect(await waitFor(() => workerPids(dir).length === 2, 60_000, 100)).toBe(true);
    const workers = workerPids(dir);
    const [manager] = await ex.connectedManagers();
    expect(manager).toBeDefined();
    process.kill(manager!.pid, "SIGKILL");
    const alive = (pid: number) => {
      try {
        return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    expect(await waitFor(() => workers.every((pid) => !alive(pid)), 30_000, 100)).toBe(true);
  }, 120_000);
});
