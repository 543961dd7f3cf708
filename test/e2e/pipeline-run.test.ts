/** `dist/fx run`: 10,000 shell commands, --fn over JSON lines, failures → exit 1, and --endpoint with `fx executor`. */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { DIST, ensureBuilt, killMarked, processesMarked, tempDir, waitFor } from "../helpers/pipeline.ts";

let dir = "";
const children: Bun.Subprocess[] = [];

beforeAll(() => ensureBuilt());
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  if (dir) {
    killMarked(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function writeConfig(d: string): string {
  const p = path.join(d, "fx.toml");
  fs.writeFileSync(p, [
    "[executor]", "max_workers = 2", "heartbeat_period = 1", "heartbeat_threshold = 5",
    "[provider]", "init_blocks = 1", "max_blocks = 1",
    "[logging]", `logdir = ${JSON.stringify(path.join(d, "logs"))}`, "",
  ].join("\n"));
  return p;
}

async function fxRun(args: string[], timeoutMs = 600_000) {
  const p = Bun.spawn([DIST, "run", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, FX_LOGGING_LEVEL: "warn" } });
  children.push(p);
  const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { code, out, err };
}

const readJsonl = (f: string) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));

describe("fx run (dist/fx)", () => {
  test("10,000 shell commands: one result line each, in input order, exit 0", async () => {
    dir = tempDir("run-10k");
    const cfg = writeConfig(dir);
    const n = 10_000;
    fs.writeFileSync(path.join(dir, "cmds.txt"), Array.from({ length: n }, (_, i) => `echo ${i}`).join("\n") + "\n");
    const r = await fxRun(["-c", cfg, "--no-progress", "--out", path.join(dir, "out.jsonl"), path.join(dir, "cmds.txt")]);
    expect(r.err).not.toContain("failed");
    expect(r.code).toBe(0);
    const rows = readJsonl(path.join(dir, "out.jsonl"));
    expect(rows.length).toBe(n);
    let bad = 0;
    rows.forEach((row, i) => {
      if (row.index !== i || row.returncode !== 0 || row.stdout !== `${i}\n` || typeof row.host !== "string" || typeof row.duration !== "number") bad++;
    });
    expect(bad).toBe(0);
    expect(await waitFor(() => processesMarked(dir).length === 0, 30_000, 100)).toBe(true);
  }, 600_000);

  test("a failing command: its line says so, the others are fine, and fx run exits 1; plain progress lines", async () => {
    dir = tempDir("run-fail");
    const cfg = writeConfig(dir);
    fs.writeFileSync(path.join(dir, "cmds.txt"), "# a comment\necho ok\nexit 7\n\necho err >&2\n");
    const r = await fxRun(["-c", cfg, "--progress", "--out", path.join(dir, "out.jsonl"), path.join(dir, "cmds.txt")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("1 of 3 task(s) failed");
    expect(r.err).toMatch(/fx run: 3\/3 done, 1 failed/);
    const rows = readJsonl(path.join(dir, "out.jsonl"));
    expect(rows.map((x) => x.returncode)).toEqual([0, 7, 0]);
    expect(rows[2].stderr).toBe("err\n");
  }, 120_000);

  test("--fn MODULE:EXPORT maps the export over JSON-lines arguments", async () => {
    dir = tempDir("run-fn");
    const cfg = writeConfig(dir);
    fs.writeFileSync(path.join(dir, "tasks.ts"), "export function area(w: number, h: number) { return w * h; }\n");
    fs.writeFileSync(path.join(dir, "args.jsonl"), "[2, 3]\n[4, 5]\n[10, 10]\n");
    const r = await fxRun(["-c", cfg, "--no-progress", "--fn", "tasks.ts:area", path.join(dir, "args.jsonl")]);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((x) => x.value)).toEqual([6, 20, 100]);
  }, 120_000);

  test("fx executor keeps an endpoint running; fx run --endpoint INFO_FILE uses it; SIGTERM stops it cleanly", async () => {
    dir = tempDir("run-endpoint");
    const cfg = writeConfig(dir);
    const info = path.join(dir, "endpoint.json");
    const exe = Bun.spawn([DIST, "executor", "-c", cfg, "--info-file", info], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    children.push(exe);
    expect(await waitFor(() => fs.existsSync(info) && fs.readFileSync(info, "utf8").includes("commands"), 60_000)).toBe(true);
    fs.writeFileSync(path.join(dir, "cmds.txt"), "echo one\necho two\n");
    for (let round = 0; round < 2; round++) {
      const r = await fxRun(["--endpoint", info, "--no-progress", path.join(dir, "cmds.txt")]);
      expect(r.code).toBe(0);
      expect(r.out.trim().split("\n").map((l) => JSON.parse(l).stdout)).toEqual(["one\n", "two\n"]);
    }
    exe.kill("SIGTERM");
    expect(await exe.exited).toBe(0);
    expect(await waitFor(() => processesMarked(dir).length === 0, 30_000, 100)).toBe(true);
  }, 180_000);

  test("--timeout: tasks not done that long after submission are reported as TaskTimeout and fx run exits 1", async () => {
    dir = tempDir("run-timeout");
    const cfg = writeConfig(dir);
    fs.writeFileSync(path.join(dir, "cmds.txt"), "echo quick\nsleep 30\n");
    const r = await fxRun(["-c", cfg, "--no-progress", "--timeout", "3", "--out", path.join(dir, "out.jsonl"), path.join(dir, "cmds.txt")], 120_000);
    expect(r.code).toBe(1);
    const rows = readJsonl(path.join(dir, "out.jsonl"));
    expect(rows[0].returncode).toBe(0);
    expect(rows[1].returncode).toBeNull();
    expect(["E_TASK_TIMEOUT"]).toContain(rows[1].error.code);
    expect(await waitFor(() => processesMarked(dir).length === 0, 30_000, 100)).toBe(true);
  }, 120_000);

  test("--container with worker_mode no_container: every task is refused with a clear reason (no hang), exit 1", async () => {
    dir = tempDir("run-container-refused");
    const cfg = writeConfig(dir);
    fs.writeFileSync(path.join(dir, "cmds.txt"), "echo a\necho b\n");
    const r = await fxRun(["-c", cfg, "--no-progress", "--container", "docker.io/library/alpine:3", "--out", path.join(dir, "out.jsonl"), path.join(dir, "cmds.txt")], 120_000);
    expect(r.code).toBe(1);
    const rows = readJsonl(path.join(dir, "out.jsonl"));
    expect(rows.map((x) => x.error?.code)).toEqual(["E_IMAGE_NOT_ALLOWED", "E_IMAGE_NOT_ALLOWED"]);
    expect(rows[0].error.message).toContain("no_container");
  }, 120_000);
});
