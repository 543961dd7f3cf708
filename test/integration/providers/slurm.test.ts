/**
 * SlurmProvider against a real single-node Slurm (scripts/setup-test-env.d/slurm.sh): sbatch, squeue,
 * scancel and scontrol really run. Skips itself, saying why, when no Slurm answers.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { SlurmProvider } from "../../../src/providers/slurm.ts";
import { runCommand, type CommandRunner } from "../../../src/providers/command-runner.ts";
import { JobState, isTerminal, type JobStatus } from "../../../src/providers/provider.ts";
import { ProviderError } from "../../../src/providers/errors.ts";
import { readTail } from "../../../src/providers/job-script.ts";
import { launchCommand } from "../../../src/launchers/index.ts";
import { expectCancelRunning, useJobFixture, waitForJob } from "../../helpers/provider-jobs.ts";
import { slurmSkipReason } from "../../helpers/slurm.ts";

const skip = slurmSkipReason();
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

const jobs = useJobFixture("fx-slurm-it-");
const { submit } = jobs;
const calls: string[][] = [];
const recordingRunner: CommandRunner = (argv, opts) => {
  calls.push([...argv]);
  return runCommand(argv, opts);
};

function provider(over: Partial<ProviderConfig> = {}): SlurmProvider {
  return new SlurmProvider({ ...DEFAULTS.provider, type: "slurm", walltime: "00:10:00", ...over }, { logdir: jobs.logdir, run: recordingRunner });
}

/** Polls status until `pred` holds; returns every state seen on the way and the last status. */
const waitFor = (p: SlurmProvider, id: string, pred: (s: JobStatus) => boolean, ms = 120_000) => waitForJob(p, id, pred, ms, 200);

const ended = (s: JobStatus) => isTerminal(s.state);

describe("SlurmProvider ↔ real Slurm", () => {
  it("runs a script that writes a file: worker_init first, PENDING/RUNNING → COMPLETED", async () => {
    const p = provider({ worker_init: "export FX_IT_VALUE=from-worker-init" });
    const out = path.join(jobs.logdir, "written.txt");
    const id = await submit(p, ["/bin/sh", "-c", 'sleep 3; echo "$FX_IT_VALUE $1" > "$2"', "sh", "arg with 'quotes' & $x", out], 1, "fx-it-write");
    expect(id).toMatch(/^\d+$/);
    const { seen, last } = await waitFor(p, id, ended);
    expect(seen).toContain(JobState.RUNNING);
    expect(last.state).toBe(JobState.COMPLETED);
    expect(last.exitCode).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe("from-worker-init arg with 'quotes' & $x\n");
    const scripts = fs.readdirSync(path.join(jobs.logdir, "submit_scripts")).filter((f) => f.startsWith("fx-it-write.") && f.endsWith(".sh"));
    expect(scripts.length).toBe(1);
    expect(fs.readFileSync(path.join(jobs.logdir, "submit_scripts", scripts[0]!), "utf8")).toContain("#SBATCH --job-name=fx-it-write");
  }, 180_000);

  it("cancel: a running job → CANCELLED", async () => {
    await expectCancelRunning(provider(), submit, "fx-it-cancel", { ms: 120_000, stepMs: 200 });
  }, 180_000);

  it("cancelling a job that already ended is not an error", async () => {
    const p = provider();
    const id = await submit(p, ["/bin/true"], 1, "fx-it-cancel-done");
    await waitFor(p, id, ended);
    await p.cancel([id]);
    expect((await p.status([id])).get(id)!.state).toBe(JobState.COMPLETED);
  }, 180_000);

  it("a job that fails at start → FAILED with exit code and its own stderr", async () => {
    const p = provider();
    const id = await submit(p, ["/nonexistent/fx", "manager", "--block-id", "7"], 1, "fx-it-fail");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.FAILED);
    expect(last.exitCode).toBe(127);
    expect(last.stderrPath).toBeDefined();
    expect(readTail(last.stderrPath)).toContain("/nonexistent/fx");
  }, 180_000);

  it("status of many jobs takes one squeue call", async () => {
    const p = provider();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(p, ["/bin/sh", "-c", `sleep 1; exit ${i % 2}`], 1, `fx-it-many-${i}`));
    const before = calls.length;
    const live = await p.status([...ids, "999999"]);
    const squeues = calls.slice(before).filter((c) => c[0] === "squeue");
    expect(squeues.length).toBe(1);
    expect(squeues[0]).toContain(`--jobs=${[...ids, "999999"].join(",")}`);
    expect(live.size).toBe(6);
    for (const id of ids) await waitFor(p, id, ended);
    // A provider that never saw these jobs asks once for all of them, finished ones included.
    const fresh = provider();
    const mark = calls.length;
    const m = await fresh.status([...ids, "999999"]);
    expect(calls.slice(mark).filter((c) => c[0] === "squeue").length).toBe(1);
    expect(ids.map((id) => m.get(id)!.state)).toEqual([JobState.COMPLETED, JobState.FAILED, JobState.COMPLETED, JobState.FAILED, JobState.COMPLETED]);
    expect(m.get(ids[1]!)!.exitCode).toBe(1);
    expect(m.get("999999")!.state).toBe(JobState.UNKNOWN);
  }, 180_000);

  it("srun launcher with 2 tasks per node runs the manager command twice", async () => {
    const p = provider();
    const argv = launchCommand({ type: "srun", overrides: [] }, ["/bin/sh", "-c", 'echo "task $SLURM_PROCID of $SLURM_NTASKS"'], 2, 1);
    const id = await submit(p, argv, 2, "fx-it-srun");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.COMPLETED);
    const lines = readTail(last.stdoutPath).trim().split("\n").sort();
    expect(lines).toEqual(["task 0 of 2", "task 1 of 2"]);
  }, 180_000);

  it("directives reach Slurm: cores_per_node, scheduler_options", async () => {
    const p = provider({ cores_per_node: 2, scheduler_options: "#SBATCH --comment=fx-it-comment\n" });
    const id = await submit(p, ["/bin/sleep", "300"], 1, "fx-it-directives");
    await waitFor(p, id, (s) => s.state !== JobState.UNKNOWN);
    const info = (await runCommand(["scontrol", "--oneliner", "show", "job", id], { timeoutMs: 30_000 })).stdout;
    expect(info).toContain("Comment=fx-it-comment");
    expect(info).toMatch(/NumCPUs=2\b/);
    await p.cancel([id]);
    await waitFor(p, id, ended);
  }, 180_000);

  it("a bad partition → ProviderError with sbatch's own message", async () => {
    const p = provider({ partition: "no-such-partition" });
    try {
      await p.submit(["/bin/true"], 1, "fx-it-badpart");
      throw new Error("expected a ProviderError");
    } catch (e) {
      expect(e).toBeInstanceOf(ProviderError);
      expect((e as ProviderError).code).toBe("E_PROVIDER_COMMAND_FAILED");
      expect((e as Error).message).toContain("invalid partition");
    }
  }, 60_000);

  it("walltime: a job still running at its walltime → TIMEOUT", async () => {
    const p = provider({ walltime: "00:01:00" });
    const id = await submit(p, ["/bin/sleep", "600"], 1, "fx-it-walltime");
    const running = await waitFor(p, id, (s) => s.state === JobState.RUNNING);
    expect(running.last.timeLeftSeconds).toBeGreaterThan(0);
    expect(running.last.timeLeftSeconds).toBeLessThanOrEqual(60);
    const { last } = await waitFor(p, id, ended, 240_000);
    expect(last.state).toBe(JobState.TIMEOUT);
  }, 300_000);
});
