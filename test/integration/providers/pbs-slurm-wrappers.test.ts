/**
 * PbsProvider (Torque flavour) against real commands: Slurm's Torque compatibility wrappers (Debian's
 * slurm-wlm-torque qsub / qstat / qdel, unpacked by scripts/setup-test-env.d/pbs-wrappers.sh) driving the
 * real single-node Slurm of scripts/setup-test-env.d/slurm.sh. The output is Torque-format text printed by
 * Slurm's Perl wrappers, not by a pbs_server: job_state is Q/R/C and no exit_status is ever printed, so
 * these tests check what that qstat can say (and the directives Slurm's sbatch honours from #PBS lines).
 * The PBS Pro flavour is not run here: the wrapper's qstat refuses PBS Pro's `-x`.
 * Skips itself, saying why, when Slurm or the wrappers are absent.
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { PbsProvider } from "../../../src/providers/pbs.ts";
import { runCommand, type CommandRunner } from "../../../src/providers/command-runner.ts";
import { JobState, isTerminal, type JobStatus } from "../../../src/providers/provider.ts";
import { readTail } from "../../../src/providers/job-script.ts";
import { expectCancelRunning, useJobFixture, waitForJob } from "../../helpers/provider-jobs.ts";
import { slurmSkipReason } from "../../helpers/slurm.ts";

const WRAPPERS = path.join(process.env.FX_PBS_WRAPPERS ?? "/opt/fx-slurm-torque", "bin");
const PROGRAMS = new Set(["qsub", "qstat", "qdel"]);

function skipReason(): string | null {
  const slurm = slurmSkipReason();
  if (slurm) return `PBS-over-Slurm tests skipped: ${slurm}`;
  for (const p of PROGRAMS) {
    if (!fs.existsSync(path.join(WRAPPERS, p))) return `PBS-over-Slurm tests skipped: no ${path.join(WRAPPERS, p)}; run scripts/setup-test-env.d/pbs-wrappers.sh`;
  }
  return null;
}

const skip = skipReason();
if (skip) console.warn(skip);
const it = skip ? test.skip : test;

const jobs = useJobFixture("fx-pbs-it-");
const { submit } = jobs;
/** Every command the provider ran, as it asked for it (before the wrapper directory is put in front). */
const calls: string[][] = [];
/** The provider asks for `qsub`, `qstat`, `qdel`; on this machine those names belong to Grid Engine, so the wrappers' own paths are used. */
const wrapperRunner: CommandRunner = (argv, opts) => {
  calls.push([...argv]);
  const [prog, ...rest] = argv;
  return runCommand(PROGRAMS.has(prog!) ? [path.join(WRAPPERS, prog!), ...rest] : argv, opts);
};

function provider(over: Partial<ProviderConfig> = {}): PbsProvider {
  return new PbsProvider({ ...DEFAULTS.provider, type: "torque", walltime: "00:10:00", ...over }, { logdir: jobs.logdir, run: wrapperRunner }, "torque");
}

const waitFor = (p: PbsProvider, id: string, pred: (s: JobStatus) => boolean, ms = 120_000) => waitForJob(p, id, pred, ms, 300);
const ended = (s: JobStatus) => isTerminal(s.state);

async function qstatFull(id: string): Promise<string> {
  return (await runCommand([path.join(WRAPPERS, "qstat"), "-f", id], { timeoutMs: 30_000 })).stdout;
}

describe("PbsProvider (torque) ↔ Slurm's Torque wrappers", () => {
  it("runs a script: qsub's numeric id, Q/R → C, worker_init first, output where fx asked for it", async () => {
    const p = provider({ worker_init: "export FX_IT_VALUE=from-worker-init" });
    const out = path.join(jobs.logdir, "written.txt");
    const id = await submit(p, ["/bin/sh", "-c", 'sleep 3; echo "$FX_IT_VALUE $1" > "$2"; echo to-stdout; echo to-stderr >&2', "sh", "arg with 'quotes' & $x", out], 1, "fx-pbs-write");
    expect(id).toMatch(/^\d+$/);
    expect(calls.find((c) => c[0] === "qsub")!.slice(1, 5)).toEqual(["-o", expect.stringMatching(/\.stdout$/), "-e", expect.stringMatching(/\.stderr$/)]);
    const { seen, last } = await waitFor(p, id, ended);
    expect(seen).toContain(JobState.RUNNING);
    // The wrapper's qstat says C for every ended job and prints no exit status: fx says so instead of guessing.
    expect(last.state).toBe(JobState.COMPLETED);
    expect(last.message).toContain("no exit status");
    expect(fs.readFileSync(out, "utf8")).toBe("from-worker-init arg with 'quotes' & $x\n");
    expect(readTail(last.stdoutPath)).toContain("to-stdout");
    expect(readTail(last.stderrPath)).toContain("to-stderr");
  }, 180_000);

  it("#PBS directives reach the scheduler: job name, walltime, nodes=1:ppn=2", async () => {
    const p = provider({ walltime: "00:07:00" });
    const id = await submit(p, ["/bin/sleep", "300"], 2, "fx-pbs-directives");
    await waitFor(p, id, (s) => s.state !== JobState.UNKNOWN);
    const text = await qstatFull(id);
    expect(text).toMatch(/Job_Name = fx-pbs-directiv\b/); // 15 characters, PBS's limit
    expect(text).toContain("Resource_List.walltime = 00:07:00");
    expect(text).toMatch(/Resource_List\.ncpus = 2\b/);
    await p.cancel([id]);
    await waitFor(p, id, ended);
  }, 180_000);

  it("cancel: a running job → CANCELLED (qdel, then qstat shows C)", async () => {
    await expectCancelRunning(provider(), submit, "fx-pbs-cancel", { ms: 120_000, stepMs: 300 }, (id) => expect(calls.at(-1)).toEqual(["qdel", id]));
  }, 180_000);

  it("cancelling a job that already ended is not an error (the wrapper's qdel exits 1 without a word)", async () => {
    const p = provider();
    const id = await submit(p, ["/bin/true"], 1, "fx-pbs-cancel-done");
    await waitFor(p, id, ended);
    const r = await runCommand([path.join(WRAPPERS, "qdel"), id], { timeoutMs: 30_000, allowFailure: true });
    expect(r.exitCode).not.toBe(0); // what makes this case worth testing
    await p.cancel([id]);
    expect(calls.slice(-2).map((c) => c[0])).toEqual(["qdel", "qstat"]);
  }, 180_000);

  it("a job that fails at start: ends, and its own stderr names the missing program", async () => {
    const p = provider();
    const id = await submit(p, ["/nonexistent/fx", "manager", "--block-id", "7"], 1, "fx-pbs-fail");
    const { last } = await waitFor(p, id, ended);
    expect(last.state).toBe(JobState.COMPLETED); // no exit status from this qstat: see the first test
    expect(readTail(last.stderrPath)).toContain("/nonexistent/fx");
  }, 180_000);

  it("status of many jobs takes one qstat call; an unknown id is UNKNOWN, not an error", async () => {
    const p = provider();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await submit(p, ["/bin/sh", "-c", "sleep 2"], 1, `fx-pbs-many-${i}`));
    const before = calls.length;
    const m = await p.status([...ids, "999999"]);
    const qstats = calls.slice(before).filter((c) => c[0] === "qstat");
    expect(qstats).toEqual([["qstat", "-f", ...ids, "999999"]]);
    const live: JobState[] = [JobState.PENDING, JobState.RUNNING, JobState.COMPLETED];
    for (const id of ids) expect(live).toContain(m.get(id)!.state);
    expect(m.get("999999")!.state).toBe(JobState.UNKNOWN);
    // Only unknown ids: qstat prints nothing and exits 153 (Unknown Job Id), which is an answer, not a failure.
    const only = await p.status(["999998"]);
    expect(only.get("999998")!.state).toBe(JobState.UNKNOWN);
    for (const id of ids) await waitFor(p, id, ended);
  }, 180_000);
});
