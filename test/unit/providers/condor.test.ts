/**
 * The HTCondor provider through the command-runner seam, fed outputs recorded from a real HTCondor 23.9 pool
 * (test/fixtures/schedulers/condor/record.sh). The real pool is exercised in test/integration/providers/condor.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/schema.ts";
import { CondorProvider, parseCondorAf, parseCondorSubmit } from "../../../src/providers/condor.ts";
import { JobState, ProviderError } from "../../../src/providers/index.ts";
import { fixture, fixtureIds } from "./fixtures.ts";
import { Replay } from "./replay.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function make(replay: Replay, over: Partial<ProviderConfig> = {}): { p: CondorProvider; logdir: string } {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-condor-"));
  dirs.push(logdir);
  const cfg: ProviderConfig = { ...DEFAULTS.provider, type: "condor", walltime: "01:30:00", worker_init: "module load fx", ...over };
  return { p: new CondorProvider(cfg, { logdir, run: replay.run }), logdir };
}

const MANAGER = ["/opt/fx/fx", "manager", "--task-url", "tcp://10.1.0.5:54001", "--block-id", "0"];
const ids = fixtureIds("condor");
const id = (k: string) => ids[k]!;

describe("condor (recorded from a real HTCondor 23.9)", () => {
  test("submit: a .submit description next to the job script; condor_submit -terse", async () => {
    const r = new Replay().on("condor_submit", { stdout: fixture("condor", "condor_submit-terse.txt") });
    const { p, logdir } = make(r, { cores_per_node: 4, mem_per_node: 8, scheduler_options: "requirements = (OpSys == \"LINUX\")" });
    expect(await p.submit(MANAGER, 1, "fx-htex-0")).toBe(id("ok"));
    expect(r.calls[0]!.argv.slice(0, 2)).toEqual(["condor_submit", "-terse"]);
    const dir = path.join(logdir, "submit_scripts");
    const read = (ext: string) => fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith(ext))!), "utf8");
    const sub = read(".submit").split("\n");
    for (const l of ["universe = vanilla", "request_cpus = 4", "request_memory = 8192", "+FxWalltime = 5400", 'requirements = (OpSys == "LINUX")', "queue 1"]) expect(sub).toContain(l);
    expect(sub.find((l) => l.startsWith("executable = "))).toEndWith(".sh");
    expect(r.calls[0]!.argv[2]).toEndWith(".submit");
    expect(read(".sh")).toContain("/opt/fx/fx manager");
  });

  test("condor_submit -terse: the first id of the range; no id → a parse error", () => {
    expect(parseCondorSubmit(fixture("condor", "condor_submit-terse.txt"))).toBe(id("ok"));
    expect(() => parseCondorSubmit("ERROR: Parse error in expression\n")).toThrow(ProviderError);
  });

  test("status of queued jobs (condor_q): running, idle, held at submit → PENDING, held for an error → FAILED and removed", async () => {
    const r = new Replay()
      .on("condor_q", { stdout: fixture("condor", "condor_q-af.txt") })
      .on("condor_rm", { stdout: fixture("condor", "condor_rm.txt") })
      .on("condor_history", { stdout: "" });
    const { p } = make(r);
    const asked = [id("ok"), id("idle"), id("held"), id("noexec"), "999999"];
    const m = await p.status(asked);
    expect(asked.map((i) => m.get(i)!.state)).toEqual([JobState.RUNNING, JobState.PENDING, JobState.PENDING, JobState.FAILED, JobState.UNKNOWN]);
    expect(m.get(id("held"))!.message).toContain("submitted on hold");
    expect(m.get(id("noexec"))!.message).toContain("Permission denied");
    // one condor_q for all; condor_rm for the job held for an error (it would stay held for ever); then
    // condor_history for the one condor_q did not list (a bare cluster id means proc 0)
    expect(r.programs()).toEqual(["condor_q", "condor_rm", "condor_history"]);
    expect(r.calls[1]!.argv).toEqual(["condor_rm", id("noexec")]);
    expect(r.calls[2]!.argv).toContain("999999.0");
    expect(r.calls[2]!.argv).not.toContain(id("ok"));
  });

  test("jobs that left the queue (condor_history): COMPLETED / FAILED (exit code, signal) / CANCELLED / TIMEOUT", async () => {
    const r = new Replay().on("condor_q", { stdout: "" }).on("condor_history", { stdout: fixture("condor", "condor_history-af.txt") });
    const { p } = make(r);
    const asked = ["ok", "bad", "signal", "cancelled", "timeout"].map(id);
    const m = await p.status(asked);
    expect(asked.map((i) => m.get(i)!.state)).toEqual([JobState.COMPLETED, JobState.FAILED, JobState.FAILED, JobState.CANCELLED, JobState.TIMEOUT]);
    expect(m.get(id("ok"))!.exitCode).toBe(0);
    expect(m.get(id("bad"))!.exitCode).toBe(3);
    expect(m.get(id("signal"))!.message).toContain("signal 9");
    expect(m.get(id("cancelled"))!.message).toContain("condor_rm");
    expect(m.get(id("timeout"))!.message).toContain("FxWalltime");
  });

  test("the -af:jt parser skips lines that are not job lines", () => {
    const m = parseCondorAf(`-- Schedd: x\n\n${fixture("condor", "condor_q-af.txt")}garbage\tline\n`);
    expect([...m.keys()]).toEqual([id("ok"), id("idle"), id("held"), id("noexec")]);
  });

  test("cancel: condor_rm; a job that already left (\"not found\") is not an error, other failures are", async () => {
    const ok = new Replay().on("condor_rm", { stdout: fixture("condor", "condor_rm.txt") });
    await make(ok).p.cancel([id("cancelled").replace(/\.0$/, "")]);
    expect(ok.calls[0]!.argv).toEqual(["condor_rm", id("cancelled")]);
    const gone = new Replay().on("condor_rm", { stdout: fixture("condor", "condor_rm-finished.txt"), exitCode: 1 });
    await make(gone).p.cancel([id("ok")]);
    const broken = new Replay().on("condor_rm", { stderr: "ERROR: Can't find address of local schedd\n", exitCode: 1 });
    await expect(make(broken).p.cancel([id("ok")])).rejects.toThrow(/condor_rm exited 1.*schedd/);
  });
});
