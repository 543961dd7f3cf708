/**
 * CondorProvider against a real HTCondor 23.9 personal pool (scripts/setup-test-env.d/condor.sh): condor_submit,
 * condor_q, condor_history and condor_rm really run. Skips itself, saying why, when no pool answers.
 * The pool runs root's jobs as its job user, so each test gives that user the log dir first.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { CondorProvider } from "../../../src/providers/condor.ts";
import { JobState, isTerminal, type JobStatus } from "../../../src/providers/provider.ts";
import { readTail } from "../../../src/providers/job-script.ts";
import { condorSkipReason, giveToJobUser } from "../../helpers/condor.ts";
import { expectCancelRunning, useJobFixture, waitForJob } from "../../helpers/provider-jobs.ts";

const skip = condorSkipReason([os.tmpdir()]);
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

const jobs = useJobFixture("fx-condor-it-");
const { submit } = jobs;
beforeAll(() => {
  if (!skip) giveToJobUser(jobs.logdir);
});

function provider(over: Partial<ProviderConfig> = {}): CondorProvider {
  return new CondorProvider({ ...DEFAULTS.provider, type: "condor", walltime: "00:10:00", ...over }, { logdir: jobs.logdir });
}

const waitFor = (p: CondorProvider, id: string, pred: (s: JobStatus) => boolean, ms = 150_000) => waitForJob(p, id, pred, ms, 500);
const ended = (s: JobStatus) => isTerminal(s.state);

describe("CondorProvider ↔ real HTCondor", () => {
  it("runs a script that writes a file (worker_init first) → PENDING/RUNNING → COMPLETED", async () => {
    const p = provider({ worker_init: "export FX_IT=condor-init" });
    const out = path.join(jobs.logdir, "condor-written.txt");
    const id = await submit(p, ["/bin/sh", "-c", 'sleep 3; echo "$FX_IT $1" > "$2"', "sh", "a 'b' $c", out], 1, "fx-condor-write");
    expect(id).toMatch(/^\d+\.0$/);
    const { seen, last } = await waitFor(p, id, ended);
    expect(seen).toContain(JobState.RUNNING);
    expect(last.state).toBe(JobState.COMPLETED);
    expect(last.exitCode).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe("condor-init a 'b' $c\n");
  }, 200_000);

  it("a job that fails at start → FAILED with its exit code and its own stderr", async () => {
    const p = provider();
    const id = await submit(p, ["/nonexistent/fx", "manager"], 1, "fx-condor-fail");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.FAILED);
    expect(last.exitCode).toBe(127);
    expect(readTail(last.stderrPath)).toContain("/nonexistent/fx");
  }, 200_000);

  it("a job HTCondor cannot execute is held → FAILED with the hold reason, and removed from the queue", async () => {
    const p = provider({ scheduler_options: "executable = /etc/hosts" }); // a later line wins: not executable
    const id = await submit(p, ["/bin/true"], 1, "fx-condor-noexec");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.FAILED);
    expect(last.message).toContain("Permission denied");
    const gone = await waitForJob(provider(), id, (s) => s.state !== JobState.FAILED, 60_000, 500); // asked afresh
    expect(gone.last.state).toBe(JobState.CANCELLED); // condor_history: removed (by fx), no longer held
  }, 200_000);

  it("cancel: a running job → CANCELLED", async () => {
    const p = provider();
    const id = await expectCancelRunning(p, submit, "fx-condor-cancel", { ms: 150_000, stepMs: 500 });
    await p.cancel([id]); // again, after it ended: not an error
  }, 200_000);

  it("many jobs in one status call (condor_q, then condor_history); an unknown id → UNKNOWN", async () => {
    const p = provider({ cores_per_node: 2 });
    const ids = [await submit(p, ["/bin/true"], 1, "fx-condor-m0"), await submit(p, ["/bin/false"], 1, "fx-condor-m1")];
    for (const id of ids) await waitFor(p, id, ended);
    const fresh = provider(); // asks HTCondor again instead of its cache of final states
    const m = await fresh.status([...ids, "999999.0"]);
    expect(m.get(ids[0]!)!.state).toBe(JobState.COMPLETED);
    expect(m.get(ids[1]!)!.state).toBe(JobState.FAILED);
    expect(m.get(ids[1]!)!.exitCode).toBe(1);
    expect(m.get("999999.0")!.state).toBe(JobState.UNKNOWN);
  }, 200_000);

  it("walltime (periodic_remove on FxWalltime): a job still running at its walltime → TIMEOUT", async () => {
    const p = provider({ walltime: "00:00:10" });
    const id = await submit(p, ["/bin/sleep", "300"], 1, "fx-condor-walltime");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.TIMEOUT);
    expect(last.message).toContain("FxWalltime");
  }, 200_000);

  it("a submit description HTCondor rejects → a clear error from condor_submit", async () => {
    const p = provider({ scheduler_options: "request_memory = lots of it" });
    await expect(p.submit(["/bin/true"], 1, "fx-condor-bad")).rejects.toThrow(/condor_submit.*exited 1.*Parse error/s);
  }, 60_000);
});
