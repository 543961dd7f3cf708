/**
 * Every batch provider driven through the command-runner seam with scheduler output replayed from
 * test/fixtures/schedulers (Slurm: recorded from a real Slurm; the others: transcribed, see its README).
 * The real Slurm is exercised in test/integration/providers/slurm.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type ProviderConfig, type ProviderType } from "../../../src/config/schema.ts";
import { createProvider, JobState, ProviderError, BatchProvider, type Provider } from "../../../src/providers/index.ts";
import { fixture, fixtureIds } from "./fixtures.ts";
import { Replay } from "./replay.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function make(type: ProviderType, replay: Replay, over: Partial<ProviderConfig> = {}): { p: Provider; logdir: string } {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), `fx-${type}-`));
  dirs.push(logdir);
  const cfg: ProviderConfig = { ...DEFAULTS.provider, type, walltime: "01:30:00", worker_init: "module load fx", ...over };
  return { p: createProvider(cfg, { logdir, run: replay.run }), logdir };
}

function scriptOf(logdir: string, ext = ".sh"): string {
  const dir = path.join(logdir, "submit_scripts");
  const f = fs.readdirSync(dir).find((n) => n.endsWith(ext))!;
  return fs.readFileSync(path.join(dir, f), "utf8");
}

const MANAGER = ["/opt/fx/fx", "manager", "--task-url", "tcp://10.1.0.5:54001", "--block-id", "0"];

describe("createProvider", () => {
  test.each(["local", "slurm", "pbs", "torque", "lsf", "condor", "gridengine"] as const)("knows %s", (type) => {
    const r = new Replay();
    expect(make(type, r).p.type).toBe(type);
  });
});

describe("slurm (recorded output)", () => {
  const ids = fixtureIds("slurm");

  test("submit: sbatch --parsable <script>; script has directives, worker_init, then the quoted command", async () => {
    const r = new Replay().on("sbatch", { stdout: fixture("slurm", "sbatch-parsable.txt") });
    const { p, logdir } = make("slurm", r, {
      partition: "debug", account: "proj1", qos: "high", constraint: "haswell", exclusive: true, mem_per_node: 64,
      cores_per_node: 32, nodes_per_block: 2, scheduler_options: "#SBATCH --gres=gpu:1\n#SBATCH --reservation=fx",
    });
    expect(await p.submit([...MANAGER, "a b"], 2, "fx-htex-0")).toBe(ids.ok!);
    const [argv] = r.calls.map((c) => c.argv);
    expect(argv!.slice(0, 2)).toEqual(["sbatch", "--parsable"]);
    expect(argv![2]).toEndWith(".sh");
    const s = scriptOf(logdir);
    for (const line of [
      "#SBATCH --job-name=fx-htex-0", "#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=2", "#SBATCH --time=01:30:00",
      "#SBATCH --partition=debug", "#SBATCH --account=proj1", "#SBATCH --qos=high", "#SBATCH --constraint=haswell",
      "#SBATCH --exclusive", "#SBATCH --mem=64g", "#SBATCH --cpus-per-task=16", "#SBATCH --gres=gpu:1", "#SBATCH --reservation=fx",
    ]) expect(s.split("\n")).toContain(line);
    expect(s.indexOf("module load fx")).toBeLessThan(s.indexOf("/opt/fx/fx manager"));
    expect(s).toContain("--block-id 0 'a b'");
    expect(s.startsWith("#!/bin/bash\n")).toBe(true);
  });

  test("sbatch failure → ProviderError carrying sbatch's message", async () => {
    const r = new Replay().on("sbatch", { exitCode: 1, stderr: fixture("slurm", "sbatch-bad-partition.stderr") });
    const { p } = make("slurm", r);
    await expect(p.submit(MANAGER, 1, "x")).rejects.toThrow(/invalid partition/);
  });

  test("status: one squeue for all ids; finished states from squeue -t all", async () => {
    const r = new Replay().on("squeue", { stdout: fixture("slurm", "squeue-finished.txt") });
    const { p } = make("slurm", r);
    const m = await p.status([ids.ok!, ids.bad!, ids.cancelled!, ids.timeout!, ids.held!]);
    expect(r.programs()).toEqual(["squeue"]);
    expect([...m.values()].map((s) => s.state)).toEqual([JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT, JobState.PENDING]);
  });

  test("ids squeue no longer knows: sacct (disabled here) then scontrol; never seen → UNKNOWN", async () => {
    const r = new Replay()
      .on("squeue", { exitCode: 1, stderr: fixture("slurm", "squeue-invalid-id.stderr") })
      .on("sacct", { exitCode: 1, stderr: fixture("slurm", "sacct-disabled.stderr") })
      .on("scontrol", { stdout: fixture("slurm", "scontrol-show-job.txt") });
    const { p } = make("slurm", r);
    const m = await p.status([ids.bad!, "424242"]);
    expect(r.programs()).toEqual(["squeue", "sacct", "scontrol"]);
    expect(m.get(ids.bad!)!.state).toBe(JobState.FAILED);
    expect(m.get(ids.bad!)!.exitCode).toBe(3);
    expect(m.get("424242")!.state).toBe(JobState.UNKNOWN);
    // sacct is not asked again once it said accounting is disabled
    await p.status(["424243"]);
    expect(r.programs().filter((x) => x === "sacct").length).toBe(1);
  });

  test("a job seen running that then vanished everywhere → COMPLETED with a message saying so", async () => {
    const r = new Replay().on("sbatch", { stdout: "77\n" }).on("squeue", { stdout: "77|RUNNING|None|10:00|0|\n" });
    const { p } = make("slurm", r);
    const id = await p.submit(MANAGER, 1, "v");
    expect((await p.status([id])).get(id)!.state).toBe(JobState.RUNNING);
    r.on("squeue", { exitCode: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" })
      .on("sacct", { exitCode: 1, stderr: "Slurm accounting storage is disabled\n" })
      .on("scontrol", { stdout: "" });
    const st = (await p.status([id])).get(id)!;
    expect(st.state).toBe(JobState.COMPLETED);
    expect(st.message).toContain("not recorded");
    expect(st.stdoutPath).toEndWith(".stdout");
  });

  test("jobs already seen in a final state are not asked about again", async () => {
    const r = new Replay().on("squeue", { stdout: fixture("slurm", "squeue-finished.txt") });
    const { p } = make("slurm", r);
    await p.status([ids.ok!]);
    const m = await p.status([ids.ok!]);
    expect(m.get(ids.ok!)!.state).toBe(JobState.COMPLETED);
    expect(r.programs()).toEqual(["squeue"]);
  });

  test("a squeue failure other than unknown ids is an error, not a silent UNKNOWN", async () => {
    const r = new Replay().on("squeue", { exitCode: 1, stderr: "squeue: error: Unable to contact slurm controller (connect failure)\n" });
    const { p } = make("slurm", r);
    await expect(p.status(["1"])).rejects.toThrow(/Unable to contact slurm controller/);
  });

  test("cancel: one scancel for many jobs; cmd_timeout is passed to the runner", async () => {
    const r = new Replay().on("scancel", {});
    const { p } = make("slurm", r, { cmd_timeout: 7 });
    await p.cancel(["1", "2", "3"]);
    expect(r.calls[0]!.argv).toEqual(["scancel", "1", "2", "3"]);
    expect(r.calls[0]!.opts.timeoutMs).toBe(7000);
  });

  test("a bad walltime is refused before anything runs", async () => {
    const r = new Replay();
    const { p } = make("slurm", r, { walltime: "half an hour" });
    await expect(p.submit(MANAGER, 1, "x")).rejects.toThrow(ProviderError);
    expect(r.calls.length).toBe(0);
  });

  test("status before any submit, with a logdir that does not exist yet, still reaches the scheduler", async () => {
    const r = new Replay().on("squeue", { stdout: "5|RUNNING|None|1:00|0|\n" });
    const logdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fx-slurm-nodir-")), "not", "yet");
    dirs.push(path.dirname(path.dirname(logdir)));
    const p = createProvider({ ...DEFAULTS.provider, type: "slurm" }, { logdir, run: r.run });
    expect((await p.status(["5"])).get("5")!.state).toBe(JobState.RUNNING);
    expect(r.calls[0]!.opts.cwd).toBe(logdir);
    expect(fs.existsSync(logdir)).toBe(true);
  });

  test("render() shows the script without submitting", () => {
    const r = new Replay();
    const { p } = make("slurm", r);
    const { script } = (p as BatchProvider).render(MANAGER, 1, "preview");
    expect(script).toContain("#SBATCH --job-name=preview");
    expect(r.calls.length).toBe(0);
  });
});

describe("pbs (transcribed qstat -f layout)", () => {
  test("submit: qsub <script>; select= resources; queue, account", async () => {
    const r = new Replay().on("qsub", { stdout: fixture("pbs", "qsub.txt") });
    const { p, logdir } = make("pbs", r, { queue: "workq", account: "proj1", nodes_per_block: 3, cores_per_node: 8 });
    expect(await p.submit(MANAGER, 2, "fx-htex-0")).toBe("1234.pbs01");
    expect(r.calls[0]!.argv[0]).toBe("qsub");
    const s = scriptOf(logdir).split("\n");
    for (const l of ["#PBS -N fx-htex-0", "#PBS -l walltime=01:30:00", "#PBS -l select=3:ncpus=8:mpiprocs=2", "#PBS -q workq", "#PBS -A proj1"]) expect(s).toContain(l);
  });

  test("status: qstat -f -x for all ids; F + Exit_status decides COMPLETED/FAILED/CANCELLED/TIMEOUT", async () => {
    const r = new Replay().on("qstat", { exitCode: 153, stdout: fixture("pbs", "qstat-f-x.txt"), stderr: fixture("pbs", "qstat-unknown.stderr") });
    const { p } = make("pbs", r);
    const want = ["1234.pbs01", "1235.pbs01", "1236.pbs01", "1237.pbs01", "1238.pbs01", "1239.pbs01", "1240.pbs01", "999.pbs01"];
    const m = await p.status(want);
    expect(r.calls[0]!.argv.slice(0, 3)).toEqual(["qstat", "-f", "-x"]);
    expect(want.map((id) => m.get(id)!.state)).toEqual([
      JobState.RUNNING, JobState.PENDING, JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT, JobState.PENDING, JobState.UNKNOWN,
    ]);
    expect(m.get("1237.pbs01")!.exitCode).toBe(127);
    expect(m.get("1235.pbs01")!.message).toContain("T: 64"); // a wrapped comment is joined
    expect(m.get("1239.pbs01")!.message).toContain("walltime");
  });

  test("qstat's longer host name still matches qsub's id", async () => {
    const r = new Replay().on("qstat", { stdout: "Job Id: 1234.pbs01.cluster.example\n    job_state = R\n" });
    const { p } = make("pbs", r);
    expect((await p.status(["1234.pbs01"])).get("1234.pbs01")!.state).toBe(JobState.RUNNING);
  });

  test("cancel: a finished job is fine; a refused qdel is an error", async () => {
    const r = new Replay().on("qdel", { exitCode: 35, stderr: fixture("pbs", "qdel-finished.stderr") });
    const { p } = make("pbs", r);
    await p.cancel(["1236.pbs01"]);
    r.on("qdel", { exitCode: 159, stderr: "qdel: Unauthorized Request 1234.pbs01\n" });
    await expect(p.cancel(["1234.pbs01"])).rejects.toThrow(/Unauthorized/);
  });
});

describe("torque (transcribed qstat -f layout)", () => {
  test("nodes=N:ppn=T resources; qstat -f without -x (Torque's -x means XML)", async () => {
    const r = new Replay().on("qsub", { stdout: fixture("torque", "qsub.txt") }).on("qstat", { stdout: fixture("torque", "qstat-f.txt") });
    const { p, logdir } = make("torque", r, { nodes_per_block: 2 });
    const id = await p.submit(MANAGER, 4, "fx-htex-0");
    expect(id).toBe("5678.torque01.cluster.example");
    expect(scriptOf(logdir).split("\n")).toContain("#PBS -l nodes=2:ppn=4");
    const ids = ["5678.torque01.cluster.example", "5679.torque01.cluster.example", "5680.torque01.cluster.example", "5681.torque01.cluster.example"];
    const m = await p.status(ids);
    expect(r.calls[1]!.argv).not.toContain("-x");
    expect(ids.map((i) => m.get(i)!.state)).toEqual([JobState.RUNNING, JobState.COMPLETED, JobState.FAILED, JobState.PENDING]);
  });
});

describe("lsf (transcribed bjobs -json layout)", () => {
  test("submit: bsub reads the script on stdin; -W minutes, -n/ptile, queue, project", async () => {
    const r = new Replay().on("bsub", { stdout: fixture("lsf", "bsub.txt") });
    const { p, logdir } = make("lsf", r, { queue: "normal", account: "PRJ", nodes_per_block: 2 });
    expect(await p.submit(MANAGER, 3, "fx-htex-0")).toBe("101");
    expect(r.calls[0]!.argv).toEqual(["bsub"]);
    expect(r.calls[0]!.opts.input).toBe(scriptOf(logdir));
    const s = scriptOf(logdir).split("\n");
    for (const l of ["#BSUB -J fx-htex-0", "#BSUB -W 90", "#BSUB -n 6", '#BSUB -R "span[ptile=3]"', "#BSUB -q normal", "#BSUB -P PRJ"]) expect(s).toContain(l);
  });

  test("status: bjobs -a -json for all ids; EXIT reasons tell TIMEOUT and CANCELLED from FAILED", async () => {
    const r = new Replay().on("bjobs", { exitCode: 255, stdout: fixture("lsf", "bjobs-json.txt") });
    const { p } = make("lsf", r);
    const ids = ["101", "102", "103", "104", "105", "106", "999"];
    const m = await p.status(ids);
    expect(ids.map((i) => m.get(i)!.state)).toEqual([
      JobState.RUNNING, JobState.PENDING, JobState.COMPLETED, JobState.FAILED, JobState.TIMEOUT, JobState.CANCELLED, JobState.UNKNOWN,
    ]);
    expect(m.get("104")!.exitCode).toBe(2);
  });

  test("cancel: an already finished job is fine", async () => {
    const r = new Replay().on("bkill", { exitCode: 255, stderr: fixture("lsf", "bkill-finished.stderr") });
    await make("lsf", r).p.cancel(["103"]);
    expect(r.calls.length).toBe(1);
  });
});

// condor: test/unit/providers/condor.test.ts (recorded from a real HTCondor)

describe("gridengine (recorded from a real Grid Engine 8.1.9)", () => {
  const ids = fixtureIds("gridengine");

  test("submit: qsub -terse; h_rt, -pe smp, queue", async () => {
    const r = new Replay().on("qsub", { stdout: fixture("gridengine", "qsub-terse.txt") });
    const { p, logdir } = make("gridengine", r, { queue: "all.q", cores_per_node: 4 });
    expect(await p.submit(MANAGER, 1, "fx-htex-0")).toBe(ids.ok!);
    expect(r.calls[0]!.argv.slice(0, 2)).toEqual(["qsub", "-terse"]);
    const s = scriptOf(logdir).split("\n");
    for (const l of ["#$ -N fx-htex-0", "#$ -l h_rt=01:30:00", "#$ -pe smp 4", "#$ -q all.q"]) expect(s).toContain(l);
  });

  test("status: the qstat table; running (r, t) and held (hqw)", async () => {
    const r = new Replay().on("qstat", { stdout: fixture("gridengine", "qstat.txt") });
    const { p } = make("gridengine", r);
    const m = await p.status([ids.ok!, ids.bad!, ids.held!]);
    expect([ids.ok!, ids.bad!, ids.held!].map((i) => m.get(i)!.state)).toEqual([JobState.RUNNING, JobState.RUNNING, JobState.PENDING]);
    expect(r.programs()).toEqual(["qstat"]);
  });

  test("jobs that left qstat: qacct says COMPLETED / FAILED (exit code) / CANCELLED (qdel) / TIMEOUT (h_rt)", async () => {
    const r = new Replay()
      .on("qstat", { stdout: "" })
      .on("qstat", { stdout: fixture("gridengine", "qstat-z.txt") }, ["-s", "z"])
      .on("qacct", { exitCode: 1, stderr: fixture("gridengine", "qacct-unknown.stderr") });
    for (const n of ["ok", "bad", "cancelled", "timeout"]) r.on("qacct", { stdout: fixture("gridengine", `qacct-${n}.txt`) }, [ids[n]!]);
    const { p } = make("gridengine", r);
    const want = [ids.ok!, ids.bad!, ids.cancelled!, ids.timeout!, "999999"];
    const m = await p.status(want);
    expect(want.map((i) => m.get(i)!.state)).toEqual([JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT, JobState.UNKNOWN]);
    expect(m.get(ids.bad!)!.exitCode).toBe(3);
    expect(m.get(ids.cancelled!)!.message).toContain("signal 9");
    expect(m.get(ids.timeout!)!.message).toContain("h_rt");
  });

  test("a finished job not yet in accounting (still a qstat -s z zombie) is UNKNOWN, not a guessed final state", async () => {
    const r = new Replay()
      .on("qstat", { stdout: fixture("gridengine", "qstat.txt") })
      .on("qacct", { exitCode: 1, stderr: fixture("gridengine", "qacct-unknown.stderr") });
    const { p } = make("gridengine", r);
    expect((await p.status([ids.bad!])).get(ids.bad!)!.state).toBe(JobState.RUNNING);
    r.on("qstat", { stdout: "" }).on("qstat", { stdout: fixture("gridengine", "qstat-z.txt") }, ["-s", "z"]);
    const st = (await p.status([ids.bad!])).get(ids.bad!)!;
    expect(st.state).toBe(JobState.UNKNOWN);
    expect(st.message).toContain("accounting");
    r.on("qacct", { stdout: fixture("gridengine", "qacct-bad.txt") }, [ids.bad!]);
    expect((await p.status([ids.bad!])).get(ids.bad!)!.state).toBe(JobState.FAILED);
  });

  test("cancel: qdel; an unknown job is fine", async () => {
    const r = new Replay().on("qdel", { stdout: fixture("gridengine", "qdel.txt") });
    await make("gridengine", r).p.cancel([ids.cancelled!]);
    r.on("qdel", { exitCode: 1, stderr: "denied: job \"999999\" does not exist\n" });
    await make("gridengine", r).p.cancel(["999999"]);
    expect(r.calls.map((c) => c.argv)).toEqual([["qdel", ids.cancelled!], ["qdel", "999999"]]);
  });
});
