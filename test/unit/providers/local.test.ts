import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalProvider } from "../../../src/providers/local.ts";
import { JobState, type JobStatus } from "../../../src/providers/provider.ts";

const providers: LocalProvider[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function make(opts: Partial<ConstructorParameters<typeof LocalProvider>[0]> = {}): { p: LocalProvider; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-local-"));
  dirs.push(dir);
  const p = new LocalProvider({ worker_init: "", killGraceMs: 2000, ...opts }, { logdir: dir });
  providers.push(p);
  return { p, dir };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function one(p: LocalProvider, id: string): Promise<JobStatus> {
  return (await p.status([id])).get(id)!;
}

describe("LocalProvider", () => {
  test("runs the argv after worker_init, exit 0 → COMPLETED, stdout in a file", async () => {
    const { p, dir } = make({ worker_init: "export FX_GREETING=hello" });
    const id = await p.submit(["/bin/sh", "-c", 'echo "$FX_GREETING $0"', "it's ok"], 1, "fx-test-block");
    await p.waitForExit(id);
    const st = await one(p, id);
    expect(st.state).toBe(JobState.COMPLETED);
    expect(st.exitCode).toBe(0);
    expect(fs.readFileSync(st.stdoutPath!, "utf8")).toBe("hello it's ok\n");
    const scripts = fs.readdirSync(path.join(dir, "submit_scripts")).filter((f) => f.endsWith(".sh"));
    expect(scripts.length).toBe(1);
    expect(scripts[0]).toStartWith("fx-test-block.");
  });

  test("a block that exits non-zero → FAILED with exit code and stderr kept", async () => {
    const { p } = make();
    const id = await p.submit({ script: "echo 'manager: cannot reach interchange' >&2; exit 7" }, 1, "bad");
    await p.waitForExit(id);
    const st = await one(p, id);
    expect(st.state).toBe(JobState.FAILED);
    expect(st.exitCode).toBe(7);
    expect(fs.readFileSync(st.stderrPath!, "utf8")).toContain("cannot reach interchange");
  });

  test("RUNNING while alive; cancel kills the whole process group → CANCELLED", async () => {
    const { p, dir } = make();
    const pidFile = path.join(dir, "grandchild.pid");
    const id = await p.submit({ script: `sleep 300 & echo $! > ${pidFile}; wait` }, 1, "long");
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim().length > 0);
    expect((await one(p, id)).state).toBe(JobState.RUNNING);
    const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
    await p.cancel([id]);
    await p.waitForExit(id);
    expect((await one(p, id)).state).toBe(JobState.CANCELLED);
    await waitFor(() => {
      try { process.kill(grandchild, 0); return false; } catch { return true; }
    });
  });

  test("a block that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const { p } = make({ killGraceMs: 300 });
    const id = await p.submit({ script: "trap '' TERM; echo ready; while true; do sleep 0.1; done" }, 1, "stubborn");
    await waitFor(async () => fs.readFileSync((await one(p, id)).stdoutPath!, "utf8").includes("ready"));
    await p.cancel([id]);
    await p.waitForExit(id);
    const st = await one(p, id);
    expect(st.state).toBe(JobState.CANCELLED);
    expect(st.message).toContain("SIGKILL");
  });

  test("walltimeSeconds kills a block still running → TIMEOUT", async () => {
    const { p } = make({ walltimeSeconds: 0.3 });
    const id = await p.submit(["/bin/sleep", "300"], 1, "walltime");
    await p.waitForExit(id);
    expect((await one(p, id)).state).toBe(JobState.TIMEOUT);
  });

  test("status of many ids in one call; unknown ids → UNKNOWN", async () => {
    const { p } = make();
    const a = await p.submit(["/bin/true"], 1, "a");
    const b = await p.submit(["/bin/false"], 1, "b");
    await p.waitForExit(a);
    await p.waitForExit(b);
    const m = await p.status([a, b, "999999999"]);
    expect(m.get(a)!.state).toBe(JobState.COMPLETED);
    expect(m.get(b)!.state).toBe(JobState.FAILED);
    expect(m.get("999999999")!.state).toBe(JobState.UNKNOWN);
  });

  test("close() ends running blocks, is idempotent, and refuses later submits", async () => {
    const { p } = make();
    const id = await p.submit(["/bin/sleep", "300"], 1, "c");
    const c1 = p.close();
    expect(p.close()).toBe(c1);
    await c1;
    expect((await one(p, id)).state).toBe(JobState.CANCELLED);
    await expect(p.submit(["/bin/true"], 1, "late")).rejects.toThrow(/closed/);
  });
});
