/**
 * The PBS Pro / Torque parsers and provider fed outputs recorded from real schedulers (see
 * test/fixtures/schedulers/README.md for where each file comes from):
 *   torque/recorded/    `qstat -f` of a production Torque (ICHEC), via aiida-core's test data
 *   pbs/recorded/       `qstat -f` of production PBS Pro servers, via aiida-core's test data; a PBS Pro 2024.1 stderr
 *   torque/slurm-wrappers/  Slurm's Torque wrappers over this project's test Slurm (record.sh re-records them)
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { PbsProvider, parseQstatFull, pbsJobStatus } from "../../../src/providers/pbs.ts";
import { JobState } from "../../../src/providers/provider.ts";
import { fixture } from "./fixtures.ts";
import { Replay } from "./replay.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function make(flavor: "pbs" | "torque", replay: Replay, over: Partial<ProviderConfig> = {}): PbsProvider {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), `fx-${flavor}-rec-`));
  dirs.push(logdir);
  return new PbsProvider({ ...DEFAULTS.provider, type: flavor, ...over }, { logdir, run: replay.run }, flavor);
}

function statesOf(text: string): Record<string, JobState> {
  const out: Record<string, JobState> = {};
  for (const [id, f] of parseQstatFull(text)) out[id] = pbsJobStatus(f).state;
  return out;
}

describe("Torque qstat -f recorded on a production cluster (ICHEC, via aiida-core)", () => {
  const text = fixture("torque", "recorded/qstat-f-ichec.txt");
  const jobs = parseQstatFull(text);

  test("every record is found, held/queued/running/completed mapped", () => {
    expect(statesOf(text)).toEqual({
      "549159": JobState.PENDING, // H, waiting on a dependency
      "556491": JobState.RUNNING,
      "546437": JobState.CANCELLED, // C, exit_status 271 = 256 + SIGTERM
      "547637": JobState.PENDING,
      "543984": JobState.CANCELLED,
    });
    expect(pbsJobStatus(jobs.get("546437")!).message).toContain("signal 15");
  });

  test("tab-continued values are joined; a line inside a record left blank does not end it", () => {
    expect(jobs.get("549159")!.get("error_path")).toBe("host.domain:/some/path/to/sth/ASSP-1R-p/more/down/the/path/ASSP-1R.e549159");
    expect(jobs.get("547637")!.get("hold_types")).toBe("n"); // after "Error_Path = …" and an empty line
    expect(jobs.get("547637")!.get("output_path")).toBe("server.domain:/path/to/output/file7");
    expect(jobs.get("543984")!.get("exec_host")).toEndWith("+r1i7n4/0-23");
  });

  test("a multi-line sched_hint with lines at column 0 does not swallow the keys after it", () => {
    const f = jobs.get("543984")!;
    expect(f.get("sched_hint")).toStartWith("Post job file processing error");
    expect(f.get("exit_status")).toBe("271");
    expect(f.get("etime")).toBe("Wed Jun 17 09:16:05 2015");
    expect(f.get("submit_host")).toBe("host_XX.domain");
    expect([...jobs.keys()]).toEqual(["549159", "556491", "546437", "547637", "543984"]);
  });

  test("in a record whose keys are indented with spaces, a tab line is a continuation even if it holds \" = \"", () => {
    const f = parseQstatFull("Job Id: 7.srv\n    comment = Not Running: a\n\tb = c\n    job_state = Q\n").get("7.srv")!;
    expect(f.get("comment")).toBe("Not Running: ab = c");
    expect(f.has("b")).toBe(false);
    expect(f.get("job_state")).toBe("Q");
  });

  test("through the provider: qsub's id with a server suffix matches qstat's bare id", async () => {
    const r = new Replay().on("qstat", { stdout: text });
    const m = await make("torque", r).status(["556491.service1.head.cb3.ichec.ie", "546437"]);
    expect(r.calls[0]!.argv).toEqual(["qstat", "-f", "556491.service1.head.cb3.ichec.ie", "546437"]);
    expect(m.get("556491.service1.head.cb3.ichec.ie")!.state).toBe(JobState.RUNNING);
    expect(m.get("546437")!.state).toBe(JobState.CANCELLED);
  });
});

describe("PBS Pro qstat -f recorded on production servers (via aiida-core)", () => {
  test("2013 cluster: queued with a Not Running comment, running with a wrapped comment, held", () => {
    const text = fixture("pbs", "recorded/qstat-f-aiida-2013.txt");
    const jobs = parseQstatFull(text);
    expect(statesOf(text)).toEqual({ "68350.mycluster": JobState.PENDING, "69301.mycluster": JobState.RUNNING, "69302.mycluster": JobState.PENDING });
    expect(pbsJobStatus(jobs.get("68350.mycluster")!).message).toBe("Not Running: Node is in an ineligible state: offline");
    expect(jobs.get("69301.mycluster")!.get("comment")).toBe("Job run at Sat Apr 20 at 01:36 on (b141:ncpus=16)+(b142:ncpus=16)+(b143:ncpus=16)+(b144:ncpus=16)");
    expect(jobs.get("68350.mycluster")!.get("variable_list")).toContain("PBS_O_HOST=mycluster.cluster");
    expect(jobs.get("68350.mycluster")!.get("comment")).toBeDefined(); // the key after the long Variable_List
  });

  test("recent cluster: a running job whose select and Variable_List wrap", () => {
    const text = fixture("pbs", "recorded/qstat-f-aiida-running.txt");
    const f = parseQstatFull(text).get("171390152.mycluster")!;
    expect(pbsJobStatus(f).state).toBe(JobState.RUNNING);
    expect(f.get("resource_list.select")).toBe("1:ncpus=1:mpiprocs=1:mem=524288000:job_tags=normal:jobfs=104857600");
    expect(f.get("submit_host")).toBe("user@mycluster.cluster");
  });

  test("through the provider (qstat -f -x); the recorded Unknown Job Id stderr makes the missing id UNKNOWN", async () => {
    const r = new Replay().on("qstat", { exitCode: 153, stdout: fixture("pbs", "recorded/qstat-f-aiida-2013.txt"), stderr: fixture("pbs", "recorded/qstat-unknown-2024.1.stderr") });
    const m = await make("pbs", r).status(["69301.mycluster", "256.sod-pbs"]);
    expect(r.calls[0]!.argv.slice(0, 3)).toEqual(["qstat", "-f", "-x"]);
    expect(m.get("69301.mycluster")!.state).toBe(JobState.RUNNING);
    expect(m.get("256.sod-pbs")!.state).toBe(JobState.UNKNOWN);
  });

  test("only unknown ids: the recorded stderr, nothing on stdout → UNKNOWN, not an error", async () => {
    const r = new Replay().on("qstat", { exitCode: 153, stderr: fixture("pbs", "recorded/qstat-unknown-2024.1.stderr") });
    expect((await make("pbs", r).status(["256.sod-pbs"])).get("256.sod-pbs")!.state).toBe(JobState.UNKNOWN);
  });
});

describe("Torque-format output of Slurm's wrappers (recorded by torque/slurm-wrappers/record.sh)", () => {
  const dir = "slurm-wrappers";
  const ids = Object.fromEntries(fixture("torque", `${dir}/ids.txt`).trim().split("\n").map((l) => l.split("=") as [string, string]));

  test("keys indented with a tab are keys, not continuations", () => {
    const jobs = parseQstatFull(fixture("torque", `${dir}/qstat-f-running.txt`));
    expect(jobs.size).toBe(4);
    const ok = jobs.get(ids.ok!)!;
    expect(ok.get("job_name")).toBe("fx-ok");
    expect(ok.get("job_state")).toBe("R");
    expect(ok.get("resource_list.walltime")).toBe("00:10:00");
  });

  test("running/held, then ended: C with no exit status is COMPLETED saying so, or CANCELLED when fx deleted it", async () => {
    const r = new Replay().on("qstat", { stdout: fixture("torque", `${dir}/qstat-f-running.txt`) });
    const p = make("torque", r);
    const all = [ids.ok!, ids.bad!, ids.cancelled!, ids.held!];
    const before = await p.status(all);
    expect(all.map((i) => before.get(i)!.state)).toEqual([JobState.RUNNING, JobState.COMPLETED, JobState.RUNNING, JobState.PENDING]);
    r.on("qdel", {});
    await p.cancel([ids.cancelled!]);
    r.on("qstat", { stdout: fixture("torque", `${dir}/qstat-f-ended.txt`) });
    const after = await p.status(all);
    expect(all.map((i) => after.get(i)!.state)).toEqual([JobState.COMPLETED, JobState.COMPLETED, JobState.CANCELLED, JobState.PENDING]);
    expect(after.get(ids.ok!)!.message).toContain("no exit status");
  });

  test("qstat of an unknown id: empty output, exit 153 → UNKNOWN", async () => {
    const exit = Number(fixture("torque", `${dir}/qstat-unknown.exit`).trim());
    expect(exit).toBe(153);
    const r = new Replay().on("qstat", { exitCode: exit, stdout: fixture("torque", `${dir}/qstat-unknown.stdout`), stderr: fixture("torque", `${dir}/qstat-unknown.stderr`) });
    expect((await make("torque", r).status(["999999"])).get("999999")!.state).toBe(JobState.UNKNOWN);
  });

  test("qdel of a finished job exits 1 without a word: fine once qstat shows it ended; not fine while it still runs", async () => {
    const exit = Number(fixture("torque", `${dir}/qdel-finished.exit`).trim());
    const r = new Replay()
      .on("qdel", { exitCode: exit, stdout: fixture("torque", `${dir}/qdel-finished.stdout`), stderr: fixture("torque", `${dir}/qdel-finished.stderr`) })
      .on("qstat", { stdout: fixture("torque", `${dir}/qstat-f-ended.txt`) });
    const p = make("torque", r);
    await p.cancel([ids.ok!]);
    expect(r.programs()).toEqual(["qdel", "qstat"]);
    r.on("qstat", { stdout: fixture("torque", `${dir}/qstat-f-running.txt`) });
    await expect(p.cancel([ids.ok!])).rejects.toThrow(/qdel exited 1/);
  });

  test("the wrapper's qstat refuses PBS Pro's -x (why only the torque flavour runs against it)", () => {
    expect(fixture("torque", `${dir}/qstat-x-refused.stderr`)).toContain("Unknown option: x");
  });
});
