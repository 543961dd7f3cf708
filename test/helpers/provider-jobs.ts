/**
 * Shared by the provider tests against a real scheduler (Slurm, Grid Engine): a temp log dir for the file, every
 * job the tests submit cancelled and the dir removed after the file, and polling a job until a condition holds.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JobState, isTerminal, type JobStatus, type Provider } from "../../src/providers/provider.ts";

export interface JobFixture {
  /** The file's temp log dir (set once its tests start). */
  readonly logdir: string;
  /** `p.submit(...)`, remembering the job so it is cancelled after the file. */
  submit(p: Provider, ...args: Parameters<Provider["submit"]>): Promise<string>;
}

/** Registers the file's beforeAll/afterAll; `prefix` names the temp dir. */
export function useJobFixture(prefix: string): JobFixture {
  let logdir = "";
  const submitted: { p: Provider; id: string }[] = [];
  beforeAll(() => {
    logdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    for (const { p, id } of submitted) await p.cancel([id]).catch(() => {});
    fs.rmSync(logdir, { recursive: true, force: true });
  });
  return {
    get logdir() {
      return logdir;
    },
    async submit(p, ...args) {
      const id = await p.submit(...args);
      submitted.push({ p, id });
      return id;
    },
  };
}

/** Polls `p.status` every `stepMs` until `pred` holds; returns every state seen on the way and the last status. */
export async function waitForJob(p: Provider, id: string, pred: (s: JobStatus) => boolean, ms: number, stepMs: number): Promise<{ seen: JobState[]; last: JobStatus }> {
  const seen: JobState[] = [];
  const end = Date.now() + ms;
  for (;;) {
    const st = (await p.status([id])).get(id)!;
    if (seen.at(-1) !== st.state) seen.push(st.state);
    if (pred(st)) return { seen, last: st };
    if (Date.now() > end) throw new Error(`job ${id}: condition not met in ${ms} ms; states seen ${seen.join(" → ")}; last ${JSON.stringify(st)}`);
    await Bun.sleep(stepMs);
  }
}

/**
 * The cancel check every provider passes against its real scheduler: a long job, once RUNNING, is cancelled and
 * ends CANCELLED. `afterCancel` runs right after `cancel()` returns (e.g. to look at the command it ran).
 */
export async function expectCancelRunning(
  p: Provider, submit: JobFixture["submit"], name: string, poll: { ms: number; stepMs: number }, afterCancel?: (id: string) => void,
): Promise<string> {
  const id = await submit(p, ["/bin/sleep", "300"], 1, name);
  await waitForJob(p, id, (s) => s.state === JobState.RUNNING, poll.ms, poll.stepMs);
  await p.cancel([id]);
  afterCancel?.(id);
  const { last } = await waitForJob(p, id, (s) => isTerminal(s.state), poll.ms, poll.stepMs);
  expect(last.state).toBe(JobState.CANCELLED);
  return id;
}
