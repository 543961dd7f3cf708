/**
 * The compiled dist/fx, copied alone into an empty directory and run with a minimal environment: it needs no
 * node_modules, and ignores the bunfig.toml / tsconfig.json / package.json / .env of the directory it runs in.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { PROTOCOL_VERSION } from "../../src/version.ts";

const ROOT = path.resolve(import.meta.dir, "../..");
const DIST = path.join(ROOT, "dist", "fx");
let dir = "";
let fxPath = "";

beforeAll(() => {
  if (!fs.existsSync(DIST)) {
    // scripts/test builds first; when this file runs alone, build here.
    const b = Bun.spawnSync(["bash", path.join(ROOT, "scripts", "build")], { stdout: "pipe", stderr: "pipe", timeout: 600_000 });
    if (b.exitCode !== 0) throw new Error(`scripts/build failed: ${b.stderr.toString()}`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-e2e-cli-"));
  fxPath = path.join(dir, "fx");
  fs.copyFileSync(DIST, fxPath);
  fs.chmodSync(fxPath, 0o755);
  // Hostile neighbours: if the binary read any of these, the assertions below would notice.
  fs.writeFileSync(path.join(dir, "bunfig.toml"), 'preload = ["./does-not-exist.ts"]\n');
  fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "not-fx", "version": "9.9.9", "type": "commonjs" }\n');
  fs.writeFileSync(path.join(dir, "tsconfig.json"), '{ "compilerOptions": { "paths": { "commander": ["./nope"] } } }\n');
  fs.writeFileSync(path.join(dir, ".env"), "FX_EXECUTOR_HEARTBEAT_PERIOD=1\nFX_LOGGING_LEVEL=bogus\n");
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function fx(args: string[], extraEnv: Record<string, string> = {}) {
  const r = Bun.spawnSync([fxPath, ...args], {
    cwd: dir,
    env: { PATH: "/usr/bin:/bin", HOME: dir, ...extraEnv },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("dist/fx alone in an empty directory (ours=compiled fx)", () => {
  test("the directory holds no node_modules", () => {
    expect(fs.existsSync(path.join(dir, "node_modules"))).toBe(false);
  });

  test("--version prints fx's version (not the cwd package.json's) and the protocol version", () => {
    const r = fx(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`fx ${pkg.version} (protocol ${PROTOCOL_VERSION})`);
  });

  test("--help lists every role and config", () => {
    const r = fx(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["executor", "interchange", "manager", "worker", "run", "config"]) expect(r.out).toContain(`  ${c} `);
  });

  test("config selftest: the compiled binary re-executes itself (process.execPath)", () => {
    const r = fx(["config", "selftest"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ compiled: true, ok: true, argv: [fxPath, "--version"] });
  });

  test("config init writes a commented config, refuses to overwrite without --force", () => {
    const first = fx(["config", "init"]);
    expect(first.code).toBe(0);
    const text = fs.readFileSync(path.join(dir, "fx.toml"), "utf8");
    expect(text).toContain("# Seconds between heartbeats");
    expect(text).toContain("max_workers = inf");
    const again = fx(["config", "init"]);
    expect(again.code).toBe(2);
    expect(again.err).toContain("exists; use --force");
    expect(fx(["config", "init", "--force"]).code).toBe(0);
  });

  test("config check on the written file: OK, effective config; .env in the cwd is not read", () => {
    fx(["config", "init", "checked.toml"]);
    const r = fx(["config", "check", "checked.toml", "--json"]);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.executor.heartbeat_period).toBe(30);
    expect(c.executor.max_workers).toBe("inf");
    expect(c.logging.level).toBe("info");
  });

  test("config check applies FX_* env vars from the real environment", () => {
    const r = fx(["config", "check", "--json"], { FX_PROVIDER_MAX_BLOCKS: "3", FX_EXECUTOR_HEARTBEAT_PERIOD: "5" });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.provider.max_blocks).toBe(3);
    expect(c.executor.heartbeat_period).toBe(5);
  });

  test("config check on a bad file: every problem with its line, exit 2", () => {
    fs.writeFileSync(path.join(dir, "bad.toml"), '[executor]\nheartbeat_perod = 5\ncores_per_worker = 0\n\n[provider]\ntype = "slurmm"\nmin_blocks = 3\n');
    const r = fx(["config", "check", "bad.toml"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("4 problems");
    expect(r.err).toContain('line 2: executor.heartbeat_perod: unknown key "heartbeat_perod" in [executor]; did you mean "heartbeat_period"?');
    expect(r.err).toContain("line 3: executor.cores_per_worker");
    expect(r.err).toContain("line 6: provider.type");
    expect(r.err).toContain("line 7: provider.min_blocks");
  });

  test("config check on invalid TOML: the parser's line and column, exit 2", () => {
    fs.writeFileSync(path.join(dir, "broken.toml"), "[executor]\nmax_workers = 2\nlabel = \n");
    const r = fx(["config", "check", "broken.toml"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 3:\d+: not valid TOML/);
    expect(r.err).toContain("E_CONFIG_PARSE");
  });

  test("config check on a missing file, and a role with missing flags, exit 2", () => {
    expect(fx(["config", "check", "nope.toml"]).code).toBe(2);
    const m = fx(["manager"]);
    expect(m.code).toBe(2);
    expect(m.err).toContain("--task-url");
  });
});
