/**
 * Helpers for pipeline tests: the compiled dist/fx (built if missing), a temp dir per test whose path appears in
 * every process fx starts for it (--logdir), so leftover processes can be found and killed by that mark.
 */
import { afterEach, beforeAll } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HighThroughputExecutor, type ExecutorInit } from "../../src/index.ts";

export const ROOT = path.resolve(import.meta.dir, "../..");
export const DIST = path.join(ROOT, "dist", "fx");

export function ensureBuilt(): void {
  if (fs.existsSync(DIST)) return;
  const b = Bun.spawnSync(["bash", path.join(ROOT, "scripts", "build")], { stdout: "pipe", stderr: "pipe", timeout: 600_000 });
  if (b.exitCode !== 0) throw new Error(`scripts/build failed: ${b.stderr.toString()}`);
}

/**
 * The fixture the executor e2e files share: dist/fx built before the file's tests; after each test the test's
 * executor shut down, every process marked with its temp dir killed, the dir removed. `current` reads the file's
 * `dir` and `ex` variables (set by each test), `reset` clears them.
 */
export function usePipelineFixture(current: () => { dir: string; ex: HighThroughputExecutor | null }, reset: () => void, hookTimeoutMs?: number): void {
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    const { dir, ex } = current();
    reset();
    await ex?.shutdown().catch(() => {});
    if (dir) {
      killMarked(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, hookTimeoutMs);
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fx-${name}-`));
}

/** Pids of live processes whose command line mentions `mark` (our temp dir), other than this one. */
export function processesMarked(mark: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, "utf8");
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      if (/\) Z /.test(stat)) continue; // zombie: already dead
      if (cmd.includes(mark)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function killMarked(mark: string): void {
  for (const pid of processesMarked(mark)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/** Polls `cond` until true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await Bun.sleep(stepMs);
  }
  return cond();
}

/**
 * Waits until `n` managers are connected. When they are not within `timeoutMs`, fails with the interchange log's
 * WARN and ERROR lines (from `dir`/logs), so a CI log says why, e.g. a block whose job could not run fx.
 */
export async function expectManagers(ex: HighThroughputExecutor, n: number, dir: string, timeoutMs: number): Promise<void> {
  if (await waitFor(async () => (await ex.connectedManagers()).length === n, timeoutMs, 250)) return;
  const log = path.join(dir, "logs", "interchange.log");
  const said = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => / (WARN|ERROR) /.test(l)) : ["(no interchange.log)"];
  throw new Error(`${(await ex.connectedManagers()).length} of ${n} managers connected after ${timeoutMs} ms; the interchange logged:\n${said.join("\n") || "(no warning or error)"}`);
}

/** A config for tests: small heartbeats, logs in `dir`, local provider. */
export function testConfig(dir: string, over: { executor?: Record<string, unknown>; provider?: Record<string, unknown> } = {}) {
  return {
    executor: { max_workers: 2, heartbeat_period: 1, heartbeat_threshold: 6, poll_period: 10, ...over.executor },
    provider: { init_blocks: 1, max_blocks: 1, ...over.provider },
    logging: { logdir: path.join(dir, "logs"), level: "info" },
  };
}

export function executorFor(dir: string, over: Parameters<typeof testConfig>[1] = {}, init: ExecutorInit = {}): HighThroughputExecutor {
  return new HighThroughputExecutor(testConfig(dir, over), { fxCommand: [DIST], ...init });
}
