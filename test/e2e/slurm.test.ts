/**
 * The whole pipeline on a real single-node Slurm (scripts/setup-test-env.d/slurm.sh), through dist/fx:
 * the interchange submits blocks with sbatch, managers register from inside the jobs, tasks run there and
 * return; the srun launcher with 2 tasks per node (two managers in one job); scale-out on demand (first block, then a second); polite scale-in (asked, or after max_idletime)
 * ends the job; a job killed at its walltime loses its task (ManagerLost / WorkerLost) or, with a retry,
 * re-runs it on a new block; a job failing before registration is reported with its own stderr; a task declaring
 * a duration no block has time for is refused at submit and starts no block. Skips itself,
 * saying why, when no Slurm answers.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { RemoteError, type HighThroughputExecutor } from "../../src/index.ts";
import { ensureBuilt, executorFor, expectManagers, killMarked, tempDir, waitFor } from "../helpers/pipeline.ts";
import { slurmSkipReason } from "../helpers/slurm.ts";

const skip = slurmSkipReason();
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

let dir = "";
let label = "";
let ex: HighThroughputExecutor | null = null;

beforeAll(() => { if (!skip) ensureBuilt(); });
afterEach(async () => {
  await ex?.shutdown().catch(() => {});
  ex = null;
  if (label) spawnSync("scancel", [`--name=fx-${label}-0`, `--name=fx-${label}-1`, `--name=fx-${label}-2`], { timeout: 30_000 });
  if (dir) {
    killMarked(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

interface SlurmJob { id: string; name: string; state: string }

/** This test's jobs as squeue sees them (finished ones included while slurmctld keeps them). */
function jobs(): SlurmJob[] {
  const r = spawnSync("squeue", ["--noheader", "--states=all", "--format=%i|%j|%T"], { encoding: "utf8", timeout: 30_000 });
  return r.stdout.split("\n").filter(Boolean).map((l) => {
    const [id = "", name = "", state = ""] = l.split("|");
    return { id, name, state };
  }).filter((j) => j.name.startsWith(`fx-${label}-`));
}

function setUp(name: string, provider: Record<string, unknown>, executor: Record<string, unknown> = {}): HighThroughputExecutor {
  dir = tempDir(`slurm-${name}`);
  label = `e2e${process.pid}${name}`.replace(/[^A-Za-z0-9]/g, "").slice(0, 24);
  ex = executorFor(dir, {
    executor: { label, max_workers: 2, ...executor },
    provider: { type: "slurm", walltime: "00:10:00", cmd_timeout: 60, ...provider },
  });
  return ex;
}

describe("fx on a real Slurm (dist/fx, sbatch blocks)", () => {
  it("scale-out on demand: the first task makes the interchange sbatch a block; its manager registers from inside the job; tasks run there", async () => {
    const ex = setUp("out", { init_blocks: 0, min_blocks: 0, max_blocks: 1 });
    await ex.start();
    expect(jobs()).toEqual([]); // no work, no block
    const tasks = Array.from({ length: 4 }, (_, i) => ex.submitShell(["bash", "-c", `echo "$SLURM_JOB_ID ${i}"`]));
    const results = await Promise.all(tasks);
    const mine = jobs();
    expect(mine.length).toBe(1);
    expect(mine[0]!.name).toBe(`fx-${label}-0`);
    results.forEach((r, i) => {
      expect(r.returncode).toBe(0);
      expect(r.stdout.trim()).toBe(`${mine[0]!.id} ${i}`); // ran inside the Slurm job
    });
    const managers = await ex.connectedManagers();
    expect(managers.length).toBe(1);
    expect(managers[0]!.block_id).toBe("0");
  }, 240_000);

  it("a task declaring a duration longer than the blocks' walltime is refused at submit and starts no block; one that fits runs in a block", async () => {
    const ex = setUp("dur", { init_blocks: 0, min_blocks: 0, max_blocks: 1, walltime: "00:05:00" });
    await ex.start();
    const err = await ex.with({ duration: 3600 }).submitShell("true").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).code).toBe("E_BAD_TASK");
    expect((err as RemoteError).message).toContain("run for 300 s (provider.walltime)");
    await Bun.sleep(3000); // several scaling passes (every second here): none submits a block for it
    expect(jobs()).toEqual([]);
    const r = await ex.with({ duration: 60 }).submitShell(["bash", "-c", 'echo "$SLURM_JOB_ID"']);
    const mine = jobs();
    expect(mine.map((j) => j.name)).toEqual([`fx-${label}-0`]);
    expect(r.stdout.trim()).toBe(mine[0]!.id);
  }, 240_000);

  it("srun launcher, tasks_per_node = 2: one sbatch job runs two managers (srun tasks 0 and 1) that both register and run tasks", async () => {
    const ex = setUp("srun", { init_blocks: 1, min_blocks: 0, max_blocks: 1, tasks_per_node: 2, launcher: { type: "srun" } });
    await ex.start();
    expect(await waitFor(async () => (await ex.connectedManagers()).length === 2, 180_000, 500)).toBe(true);
    const managers = await ex.connectedManagers();
    expect(managers.map((m) => m.block_id)).toEqual(["0", "0"]);
    // 2 workers per manager: 8 tasks of 1 s need both managers
    const results = await Promise.all(Array.from({ length: 8 }, () => ex.submitShell(["bash", "-c", 'sleep 1; echo "$SLURM_JOB_ID $SLURM_PROCID"'])));
    const mine = jobs();
    expect(mine.length).toBe(1);
    const seen = results.map((r) => r.stdout.trim().split(" "));
    expect(new Set(seen.map(([job]) => job))).toEqual(new Set([mine[0]!.id]));
    expect(new Set(seen.map(([, procid]) => procid))).toEqual(new Set(["0", "1"]));
  }, 300_000);

  it("polite scale-in: scale_in holds the idle block's manager and the Slurm job ends", async () => {
    const ex = setUp("in", { init_blocks: 1, max_blocks: 1 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const r = await ex.submitShell(["bash", "-c", "echo $SLURM_JOB_ID"]);
    const [job] = jobs();
    expect(r.stdout.trim()).toBe(job!.id);
    expect(job!.state).toBe("RUNNING");
    expect((await ex.scaleIn(1)).block_ids).toEqual(["0"]);
    const ended = await waitFor(() => ["CANCELLED", "COMPLETED"].includes(jobs()[0]?.state ?? ""), 120_000, 500);
    expect(ended).toBe(true);
    expect(await waitFor(async () => (await ex.connectedManagers()).length === 0, 60_000, 250)).toBe(true);
  }, 300_000);

  it("a block killed by its walltime: its task without retries fails as lost; a task with a retry re-runs on a new block", async () => {
    const ex = setUp("wall", { init_blocks: 1, max_blocks: 1, walltime: "00:01:00" }, { retries: 0 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const marker = `${dir}/first-run`;
    // Function tasks that never finish on their own: only the walltime ends them (a shell task could come
    // back as a result with the signal's exit code instead).
    const lost = ex.submit(() => new Promise<never>(() => {}));
    const retried = ex.with({ retries: 1 }).submit(async (m: string) => {
      if (await Bun.file(m).exists()) return `again in ${process.env.SLURM_JOB_ID}`;
      await Bun.write(m, "first run");
      return await new Promise<string>(() => {});
    }, marker);
    void retried.catch(() => {}); // awaited below; never an unhandled rejection if the test stops early
    let err: unknown = null;
    try {
      await lost;
    } catch (e) {
      err = e;
    }
    // Slurm signals every process of the job at its walltime: the worker (WorkerLost) or the manager
    // (ManagerLost) is seen to go first, depending on timing.
    expect(err).toBeInstanceOf(RemoteError);
    expect(["E_MANAGER_LOST", "E_WORKER_LOST"]).toContain((err as RemoteError).code);
    expect(await waitFor(() => jobs().some((j) => j.name === `fx-${label}-0` && j.state === "TIMEOUT"), 60_000, 500)).toBe(true);
    const again = await retried;
    const second = jobs().find((j) => j.name === `fx-${label}-1`);
    expect(second).toBeDefined();
    expect(again).toBe(`again in ${second!.id}`);
  }, 360_000);

  it("scale-out beyond one block: work exceeding the first block's workers brings a second sbatch job", async () => {
    const ex = setUp("two", { init_blocks: 1, min_blocks: 0, max_blocks: 2 }, { max_workers: 1 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const tasks = Array.from({ length: 6 }, () => ex.submitShell(["bash", "-c", "sleep 3; echo $SLURM_JOB_ID"]));
    const results = await Promise.all(tasks);
    const mine = jobs();
    expect(mine.map((j) => j.name).sort()).toEqual([`fx-${label}-0`, `fx-${label}-1`]);
    const ranIn = new Set(results.map((r) => r.stdout.trim()));
    expect([...ranIn].sort()).toEqual(mine.map((j) => j.id).sort());
  }, 300_000);

  it("idle scale-in: a block idle for max_idletime is held and its Slurm job ends without being asked", async () => {
    const ex = setUp("idle", { init_blocks: 1, min_blocks: 0, max_blocks: 1, max_idletime: 3 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const r = await ex.submitShell(["bash", "-c", "echo $SLURM_JOB_ID"]);
    expect(r.stdout.trim()).toBe(jobs()[0]!.id);
    expect(await waitFor(() => ["CANCELLED", "COMPLETED"].includes(jobs()[0]?.state ?? ""), 120_000, 500)).toBe(true);
    expect(await waitFor(async () => (await ex.connectedManagers()).length === 0, 60_000, 250)).toBe(true);
  }, 300_000);

  it("a block whose job fails before its manager registers is reported in the interchange log with the job's own stderr", async () => {
    const ex = setUp("fail", { init_blocks: 1, max_blocks: 1, worker_init: "echo 'module: python/9.9 not found' >&2; exit 3" });
    await ex.start();
    const log = `${dir}/logs/interchange.log`;
    const reported = () => fs.existsSync(log) && fs.readFileSync(log, "utf8").split("\n").some((l) => l.includes("before any manager registered") && l.includes("python/9.9 not found"));
    expect(await waitFor(reported, 120_000, 500)).toBe(true);
    const line = fs.readFileSync(log, "utf8").split("\n").find((l) => l.includes("before any manager registered"))!;
    expect(line).toContain("FAILED");
    expect(jobs().find((j) => j.name === `fx-${label}-0`)!.state).toBe("FAILED");
    expect((await ex.connectedManagers()).length).toBe(0);
  }, 240_000);
});
