/**
 * GridEngineProvider against a real single-host Grid Engine 8.1.9 (scripts/setup-test-env.d/gridengine.sh):
 * qsub, qstat, qacct and qdel really run. Skips itself, saying why, when no Grid Engine answers.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { GridEngineProvider } from "../../../src/providers/gridengine.ts";
import { JobState, isTerminal, type JobStatus } from "../../../src/providers/provider.ts";
import { readTail } from "../../../src/providers/job-script.ts";
import { gridEngineSkipReason } from "../../helpers/gridengine.ts";
import { expectCancelRunning, useJobFixture, waitForJob } from "../../helpers/provider-jobs.ts";

const skip = gridEngineSkipReason();
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

const jobs = useJobFixture("fx-ge-it-");
const { submit } = jobs;

function provider(over: Partial<ProviderConfig> = {}): GridEngineProvider {
  return new GridEngineProvider({ ...DEFAULTS.provider, type: "gridengine", walltime: "00:10:00", ...over }, { logdir: jobs.logdir });
}

const waitFor = (p: GridEngineProvider, id: string, pred: (s: JobStatus) => boolean, ms = 150_000) => waitForJob(p, id, pred, ms, 500);
const ended = (s: JobStatus) => isTerminal(s.state);

describe("GridEngineProvider ↔ real Grid Engine", () => {
  it("runs a script that writes a file (worker_init first) → RUNNING → COMPLETED from accounting", async () => {
    const p = provider({ worker_init: "export FX_IT=ge-init" });
    const out = path.join(jobs.logdir, "ge-written.txt");
    const id = await submit(p, ["/bin/sh", "-c", 'sleep 2; echo "$FX_IT $1" > "$2"', "sh", "a 'b' $c", out], 1, "fx-ge-write");
    const { seen, last } = await waitFor(p, id, ended);
    expect(seen).toContain(JobState.RUNNING);
    expect(last.state).toBe(JobState.COMPLETED);
    expect(fs.readFileSync(out, "utf8")).toBe("ge-init a 'b' $c\n");
  }, 200_000);

  it("a job that fails at start → FAILED with its exit code and its own stderr", async () => {
    const p = provider();
    const id = await submit(p, ["/nonexistent/fx", "manager"], 1, "fx-ge-fail");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.FAILED);
    expect(last.exitCode).toBe(127);
    expect(readTail(last.stderrPath)).toContain("/nonexistent/fx");
  }, 200_000);

  it("cancel: a running job → CANCELLED", async () => {
    const p = provider();
    const id = await expectCancelRunning(p, submit, "fx-ge-cancel", { ms: 150_000, stepMs: 500 });
    await p.cancel([id]); // again, after it ended: not an error
  }, 200_000);

  it("many jobs in one status call; an unknown id → UNKNOWN", async () => {
    const p = provider({ cores_per_node: 2 });
    const ids = [await submit(p, ["/bin/true"], 1, "fx-ge-m0"), await submit(p, ["/bin/false"], 1, "fx-ge-m1")];
    for (const id of ids) await waitFor(p, id, ended);
    const m = await p.status([...ids, "999999"]);
    expect(m.get(ids[0]!)!.state).toBe(JobState.COMPLETED);
    expect(m.get(ids[1]!)!.state).toBe(JobState.FAILED);
    expect(m.get("999999")!.state).toBe(JobState.UNKNOWN);
  }, 200_000);

  it("walltime (h_rt): a job still running at its walltime → TIMEOUT", async () => {
    const p = provider({ walltime: "00:00:10" });
    const id = await submit(p, ["/bin/sleep", "300"], 1, "fx-ge-walltime");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.TIMEOUT);
  }, 200_000);
});
