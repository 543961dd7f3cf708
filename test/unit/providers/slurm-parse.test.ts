/** Slurm output readers, fed outputs recorded from a real Slurm 22.05 (test/fixtures/schedulers/slurm). */
import { describe, expect, test } from "bun:test";
import { parseSacct, parseSbatchJobId, parseScontrolJobs, parseSqueue, parseTimeLeft } from "../../../src/providers/slurm-parse.ts";
import { slurmState } from "../../../src/providers/slurm-states.ts";
import { JobState } from "../../../src/providers/provider.ts";
import { ProviderError } from "../../../src/providers/errors.ts";
import { fixture, fixtureIds } from "./fixtures.ts";

const ids = fixtureIds("slurm");

describe("Slurm states", () => {
  test.each([
    ["PD", JobState.PENDING], ["PENDING", JobState.PENDING], ["R", JobState.RUNNING], ["RUNNING", JobState.RUNNING],
    ["CG", JobState.RUNNING], ["COMPLETING", JobState.RUNNING], ["CD", JobState.COMPLETED], ["COMPLETED", JobState.COMPLETED],
    ["F", JobState.FAILED], ["FAILED", JobState.FAILED], ["CA", JobState.CANCELLED], ["CANCELLED by 0", JobState.CANCELLED],
    ["TO", JobState.TIMEOUT], ["TIMEOUT", JobState.TIMEOUT], ["NF", JobState.FAILED], ["NODE_FAIL", JobState.FAILED],
    ["OOM", JobState.FAILED], ["OUT_OF_MEMORY", JobState.FAILED], ["BF", JobState.FAILED], ["DL", JobState.TIMEOUT],
    ["PR", JobState.CANCELLED], ["S", JobState.PENDING], ["CF", JobState.PENDING], ["RQ", JobState.PENDING],
    ["SOMETHING_NEW", JobState.UNKNOWN], ["", JobState.UNKNOWN],
  ])("%p → %s", (text, state) => {
    expect(slurmState(text)).toBe(state);
  });
});

describe("sbatch --parsable", () => {
  test("recorded output gives the job id", () => {
    expect(parseSbatchJobId(fixture("slurm", "sbatch-parsable.txt"))).toBe(ids.ok!);
  });
  test("id;cluster form", () => {
    expect(parseSbatchJobId("4242;clusterA\n")).toBe("4242");
  });
  test("no id → PARSE error quoting the output", () => {
    expect(() => parseSbatchJobId("Submitted batch job\n")).toThrow(ProviderError);
  });
});

describe("squeue (recorded)", () => {
  test("pending and running jobs, with time left for the running job with a walltime", () => {
    const m = parseSqueue(fixture("slurm", "squeue-pending-running.txt"));
    expect(m.get(ids.held!)!.state).toBe(JobState.PENDING);
    expect(m.get(ids.held!)!.message).toContain("JobHeldUser");
    expect(m.get(ids.ok!)!.state).toBe(JobState.RUNNING);
    expect(m.get(ids.ok!)!.timeLeftSeconds).toBeUndefined(); // UNLIMITED
    expect(m.get(ids.timeout!)!.state).toBe(JobState.RUNNING);
    expect(m.get(ids.timeout!)!.timeLeftSeconds).toBe(57);
    expect(m.get(ids.ok!)!.exitCode).toBeUndefined();
  });

  test("finished jobs: COMPLETED, FAILED with exit code, CANCELLED, TIMEOUT", () => {
    const m = parseSqueue(fixture("slurm", "squeue-finished.txt"));
    expect(m.get(ids.ok!)).toEqual({ state: JobState.COMPLETED, exitCode: 0 });
    expect(m.get(ids.bad!)!.state).toBe(JobState.FAILED);
    expect(m.get(ids.bad!)!.exitCode).toBe(3);
    expect(m.get(ids.bad!)!.message).toContain("NonZeroExitCode");
    expect(m.get(ids.cancelled!)!.state).toBe(JobState.CANCELLED);
    expect(m.get(ids.cancelled!)!.message).toContain("signal 15");
    expect(m.get(ids.timeout!)!.state).toBe(JobState.TIMEOUT);
    expect(m.get(ids.timeout!)!.message).toContain("TimeLimit");
  });

  test("blank lines and junk are ignored", () => {
    expect(parseSqueue("\n\n").size).toBe(0);
  });

  test("time left forms", () => {
    expect(parseTimeLeft("0:57")).toBe(57);
    expect(parseTimeLeft("1:00:00")).toBe(3600);
    expect(parseTimeLeft("2-00:00:01")).toBe(172801);
    expect(parseTimeLeft("UNLIMITED")).toBeUndefined();
    expect(parseTimeLeft("INVALID")).toBeUndefined();
    expect(parseTimeLeft("NOT_SET")).toBeUndefined();
  });
});

describe("scontrol -o show job (recorded)", () => {
  test("every job with state, exit code, output paths", () => {
    const m = parseScontrolJobs(fixture("slurm", "scontrol-show-job.txt"));
    expect(m.size).toBe(5);
    expect(m.get(ids.ok!)!.state).toBe(JobState.COMPLETED);
    expect(m.get(ids.bad!)!.state).toBe(JobState.FAILED);
    expect(m.get(ids.bad!)!.exitCode).toBe(3);
    expect(m.get(ids.cancelled!)!.state).toBe(JobState.CANCELLED);
    expect(m.get(ids.timeout!)!.state).toBe(JobState.TIMEOUT);
    expect(m.get(ids.held!)!.state).toBe(JobState.PENDING);
    expect(m.get(ids.ok!)!.stdoutPath).toBe("/dev/null");
  });
});

describe("sacct -P", () => {
  // sacct is disabled on the test cluster (see sacct-disabled.stderr); this is sacct's documented -P layout.
  test("allocation lines only; job steps are skipped", () => {
    const m = parseSacct("100|COMPLETED|0:0\n100.batch|COMPLETED|0:0\n101|CANCELLED by 0|0:15\n102|FAILED|2:0\n103|OUT_OF_MEMORY|0:125\n");
    expect([...m.keys()]).toEqual(["100", "101", "102", "103"]);
    expect(m.get("101")!.state).toBe(JobState.CANCELLED);
    expect(m.get("102")).toEqual({ state: JobState.FAILED, exitCode: 2, message: "exit code 2" });
    expect(m.get("103")!.state).toBe(JobState.FAILED);
  });
});
