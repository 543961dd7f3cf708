/**
 * The whole pipeline on a real HTCondor 23.9 personal pool (scripts/setup-test-env.d/condor.sh), through dist/fx:
 * the interchange submits blocks with condor_submit, managers register from inside the HTCondor jobs (on
 * 127.0.0.1), tasks run there and return; a second block when work exceeds the first; polite scale-in (asked, or
 * after max_idletime) ends the job; a block removed at its walltime (periodic_remove) loses its task; a job failing before registration is
 * reported with its own stderr. Skips itself, saying why, when no pool answers. The pool runs root's jobs as its
 * job user, so each test gives that user its temp dir, and the managers run a copy of dist/fx in a directory of
 * that user's (as on a cluster, where fx sits on a file system the jobs can read): the checkout itself may be
 * closed to other users.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RemoteError, type HighThroughputExecutor } from "../../src/index.ts";
import { condorSkipReason, CONDOR_JOB_USER, giveToJobUser } from "../helpers/condor.ts";
import { DIST, ensureBuilt, executorFor, expectManagers, killMarked, tempDir, waitFor } from "../helpers/pipeline.ts";

const skip = condorSkipReason([os.tmpdir()]);
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

let dir = "";
let label = "";
let ex: HighThroughputExecutor | null = null;

const mineConstraint = () => `regexp("^fx-${label}-", JobBatchName)`;

/** dist/fx copied where the job user can read and run it; the interchange runs it too, so blocks start it. */
let fxDir = "";
let fx = "";
beforeAll(() => {
  if (skip) return;
  ensureBuilt();
  fxDir = tempDir("condor-fx");
  giveToJobUser(fxDir, []);
  fx = path.join(fxDir, "fx");
  fs.copyFileSync(DIST, fx);
  fs.chmodSync(fx, 0o755);
});
afterAll(() => { if (fxDir) fs.rmSync(fxDir, { recursive: true, force: true }); });
afterEach(async () => {
  await ex?.shutdown().catch(() => {});
  ex = null;
  if (label) spawnSync("condor_rm", ["-constraint", mineConstraint()], { timeout: 30_000 });
  if (dir) {
    killMarked(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

interface CondorJob { id: string; name: string; status: number }

/** This test's jobs: in the queue (condor_q) or gone from it (condor_history). JobStatus 2 running, 3 removed, 4 completed. */
function jobs(): CondorJob[] {
  const out = new Map<string, CondorJob>();
  for (const cmd of ["condor_history", "condor_q"]) {
    const r = spawnSync(cmd, ["-constraint", mineConstraint(), "-af:jt", "JobBatchName", "JobStatus"], { encoding: "utf8", timeout: 30_000 });
    for (const l of r.stdout.split("\n").filter(Boolean)) {
      const [id = "", name = "", status = ""] = l.split("\t");
      out.set(id, { id, name, status: Number(status) });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function setUp(name: string, provider: Record<string, unknown>, executor: Record<string, unknown> = {}): HighThroughputExecutor {
  dir = tempDir(`condor-${name}`);
  giveToJobUser(dir, ["logs", "logs/submit_scripts"]);
  label = `e2e${process.pid}${name}`.replace(/[^A-Za-z0-9]/g, "").slice(0, 24);
  ex = executorFor(dir, {
    executor: { label, max_workers: 2, ...executor },
    provider: { type: "condor", walltime: "00:10:00", cmd_timeout: 60, ...provider },
  }, { fxCommand: [fx] });
  return ex;
}

/** A shell command printing the HTCondor job id it runs in (from the job ad HTCondor gives every job) and its user. */
const whereAmI = `echo "$(awk '$1=="ClusterId"{print $3}' "$_CONDOR_JOB_AD").0 $(id -un)"`;

describe("fx on a real HTCondor (dist/fx, condor_submit blocks)", () => {
  it("scale-out on demand: the first task makes the interchange condor_submit a block; its manager registers from inside the job; tasks run there", async () => {
    const ex = setUp("out", { init_blocks: 0, min_blocks: 0, max_blocks: 1 });
    await ex.start();
    expect(jobs()).toEqual([]); // no work, no block
    const pending = Promise.all(Array.from({ length: 4 }, () => ex.submitShell(["bash", "-c", whereAmI])));
    await expectManagers(ex, 1, dir, 120_000);
    const results = await pending;
    const mine = jobs();
    expect(mine.map((j) => j.name)).toEqual([`fx-${label}-0`]);
    for (const r of results) {
      expect(r.returncode).toBe(0);
      expect(r.stdout.trim()).toBe(`${mine[0]!.id} ${CONDOR_JOB_USER}`); // ran inside the HTCondor job
    }
    const managers = await ex.connectedManagers();
    expect(managers.length).toBe(1);
    expect(managers[0]!.block_id).toBe("0");
  }, 240_000);

  it("polite scale-in: scale_in holds the idle block's manager and the HTCondor job completes", async () => {
    const ex = setUp("in", { init_blocks: 1, max_blocks: 1 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const r = await ex.submitShell(["bash", "-c", whereAmI]);
    const [job] = jobs();
    expect(r.stdout.trim()).toBe(`${job!.id} ${CONDOR_JOB_USER}`);
    expect(job!.status).toBe(2);
    expect((await ex.scaleIn(1)).block_ids).toEqual(["0"]);
    expect(await waitFor(() => [3, 4].includes(jobs()[0]?.status ?? 0), 120_000, 500)).toBe(true);
    expect(await waitFor(async () => (await ex.connectedManagers()).length === 0, 60_000, 250)).toBe(true);
  }, 300_000);

  it("idle scale-in: a block idle for max_idletime is held and its HTCondor job ends without being asked", async () => {
    const ex = setUp("idle", { init_blocks: 1, min_blocks: 0, max_blocks: 1, max_idletime: 3 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const r = await ex.submitShell(["bash", "-c", whereAmI]);
    expect(r.stdout.trim()).toBe(`${jobs()[0]!.id} ${CONDOR_JOB_USER}`);
    expect(await waitFor(() => [3, 4].includes(jobs()[0]?.status ?? 0), 120_000, 500)).toBe(true);
    expect(await waitFor(async () => (await ex.connectedManagers()).length === 0, 60_000, 250)).toBe(true);
  }, 300_000);

  it("scale-out beyond one block: work exceeding the first block's workers brings a second HTCondor job", async () => {
    const ex = setUp("two", { init_blocks: 1, min_blocks: 0, max_blocks: 2 }, { max_workers: 1 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    const results = await Promise.all(Array.from({ length: 6 }, () => ex.submitShell(["bash", "-c", `sleep 5; ${whereAmI}`])));
    const mine = jobs();
    expect(mine.map((j) => j.name)).toEqual([`fx-${label}-0`, `fx-${label}-1`]);
    const ranIn = new Set(results.map((r) => r.stdout.trim().split(" ")[0]));
    expect([...ranIn].sort()).toEqual(mine.map((j) => j.id).sort());
  }, 300_000);

  it("a block removed at its walltime (periodic_remove): its task fails as lost", async () => {
    const ex = setUp("wall", { init_blocks: 1, max_blocks: 1, walltime: "00:00:20" }, { retries: 0 });
    await ex.start();
    await expectManagers(ex, 1, dir, 120_000);
    let err: unknown = null;
    try {
      await ex.submit(() => new Promise<never>(() => {})); // only the walltime ends it
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RemoteError);
    expect(["E_MANAGER_LOST", "E_WORKER_LOST"]).toContain((err as RemoteError).code);
    expect(await waitFor(() => jobs().some((j) => j.name === `fx-${label}-0` && j.status === 3), 60_000, 500)).toBe(true);
    const why = spawnSync("condor_history", ["-constraint", `JobBatchName == "fx-${label}-0"`, "-af", "RemoveReason"], { encoding: "utf8", timeout: 30_000 });
    expect(why.stdout).toContain("FxWalltime"); // removed by fx's walltime expression, not by anyone's condor_rm
  }, 300_000);

  it("a block whose job fails before its manager registers is reported in the interchange log with the job's own stderr", async () => {
    const ex = setUp("fail", { init_blocks: 1, max_blocks: 1, worker_init: "echo 'module: python/9.9 not found' >&2; exit 3" });
    await ex.start();
    const log = path.join(dir, "logs", "interchange.log");
    const reported = () => fs.existsSync(log) && fs.readFileSync(log, "utf8").split("\n").some((l) => l.includes("before any manager registered") && l.includes("python/9.9 not found"));
    expect(await waitFor(reported, 120_000, 500)).toBe(true);
    const line = fs.readFileSync(log, "utf8").split("\n").find((l) => l.includes("before any manager registered"))!;
    expect(line).toContain("FAILED");
    expect(jobs().find((j) => j.name === `fx-${label}-0`)!.status).toBe(4);
    expect((await ex.connectedManagers()).length).toBe(0);
  }, 240_000);
});
