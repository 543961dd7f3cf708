/**
 * The LSF parsers and provider fed output recorded on real LSF clusters by other projects (see
 * test/fixtures/schedulers/README.md): `bjobs -json -o …` from DKFZ (via BatchEuphoria's test data), and
 * bsub / bkill / bjobs-not-found text from CERN (via aiida-core's test data). No LSF can run here.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS } from "../../../src/config/schema.ts";
import { LsfProvider, parseBjobsJson, parseBsubJobId } from "../../../src/providers/lsf.ts";
import { JobState } from "../../../src/providers/provider.ts";
import { fixture } from "./fixtures.ts";
import { Replay } from "./replay.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function make(replay: Replay): LsfProvider {
  const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-lsf-rec-"));
  dirs.push(logdir);
  return new LsfProvider({ ...DEFAULTS.provider, type: "lsf" }, { logdir, run: replay.run });
}

describe("LSF output recorded on real clusters", () => {
  test("bjobs -json (DKFZ): EXIT without exit code or reason → FAILED; DONE → COMPLETED, exit 0", () => {
    const m = parseBjobsJson(fixture("lsf", "recorded/bjobs-json-dkfz.txt"));
    expect([...m.keys()]).toEqual(["487641", "487642", "488155", "491861", "491864", "491867"]);
    expect([...m.values()].map((s) => s.state)).toEqual([
      JobState.FAILED, JobState.FAILED, JobState.FAILED, JobState.COMPLETED, JobState.COMPLETED, JobState.COMPLETED,
    ]);
    expect(m.get("487641")!.exitCode).toBeUndefined();
    expect(m.get("491861")!.exitCode).toBe(0);
  });

  test("through the provider: one bjobs -a -json call for every id", async () => {
    const r = new Replay().on("bjobs", { stdout: fixture("lsf", "recorded/bjobs-json-dkfz.txt") });
    const m = await make(r).status(["487641", "491867"]);
    expect(r.calls.map((c) => c.argv.slice(0, 3))).toEqual([["bjobs", "-a", "-json"]]);
    expect(r.calls[0]!.argv.slice(-2)).toEqual(["487641", "491867"]);
    expect(m.get("491867")!.state).toBe(JobState.COMPLETED);
  });

  test("bsub (CERN): the id inside Job <…>", () => {
    expect(parseBsubJobId(fixture("lsf", "recorded/bsub-cern.txt"))).toBe("764254593");
  });

  test("bjobs of an id LSF does not know (CERN stderr, exit 255, nothing on stdout) → UNKNOWN, not an error", async () => {
    const r = new Replay().on("bjobs", { exitCode: 255, stderr: fixture("lsf", "recorded/bjobs-not-found-cern.stderr") });
    const st = (await make(r).status(["864220165"])).get("864220165")!;
    expect(st.state).toBe(JobState.UNKNOWN);
  });

  test("bkill (CERN) of a running job", async () => {
    const r = new Replay().on("bkill", { stdout: fixture("lsf", "recorded/bkill-cern.txt") });
    await make(r).cancel(["764254593"]);
    expect(r.calls[0]!.argv).toEqual(["bkill", "764254593"]);
  });

  test('"-" for an empty field (as bjobs -o prints it) is no exit code and no reason', () => {
    const m = parseBjobsJson('{"COMMAND":"bjobs","JOBS":1,"RECORDS":[{"JOBID":"1","STAT":"EXIT","EXIT_CODE":"-","EXIT_REASON":"-"}]}');
    expect(m.get("1")).toEqual({ state: JobState.FAILED });
  });
});
