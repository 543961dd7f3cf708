/**
 * 5. Start-up: from HighThroughputExecutor.start() to all workers registered and the first result back.
 * start() spawns the interchange with the same binary as its caller, so the caller must be compiled: this
 * bench compiles startup-entry.ts (fx's CLI + a timing mode) like scripts/build compiles dist/fx, into a cache
 * directory, and runs it as a fresh process per repetition.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, report, tempDir, type BenchContext } from "./lib.ts";

function buildEntry(): string {
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "fx-bench");
  fs.mkdirSync(cache, { recursive: true });
  const out = path.join(cache, "fx-startup");
  const newest = Math.max(...[path.join(ROOT, "dist/fx"), path.join(import.meta.dir, "startup-entry.ts")].map((p) => fs.statSync(p).mtimeMs));
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs > newest) return out;
  const common = ["build", "--compile", "--minify-syntax", "--minify-whitespace", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", path.join(import.meta.dir, "startup-entry.ts"), "--outfile", out];
  let r = spawnSync(process.execPath, ["build", "--bytecode", ...common.slice(1)], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) r = spawnSync(process.execPath, common, { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot compile the start-up bench binary: ${r.stderr}`);
  return out;
}

export async function startup(ctx: BenchContext): Promise<void> {
  const bin = buildEntry();
  const reps = ctx.quick ? 2 : Math.max(5, ctx.repeat);
  for (const workers of [2]) {
    const rows: Record<string, number>[] = [];
    spawnSync(bin, ["--version"]); // warm the page cache
    for (let r = 0; r < reps; r++) {
      const dir = tempDir("startup");
      const p = spawnSync(bin, ["__bench_startup", String(workers)], { cwd: dir, encoding: "utf8", env: { ...process.env, FX_BENCH_LOGDIR: dir }, timeout: 60_000 });
      fs.rmSync(dir, { recursive: true, force: true });
      const line = p.stdout.trim().split("\n").pop() ?? "";
      if (p.status !== 0 || !line.startsWith("{")) throw new Error(`start-up run failed (${p.status}): ${p.stderr.slice(-2000)}`);
      rows.push(JSON.parse(line) as Record<string, number>);
    }
    const col = (k: string) => rows.map((x) => x[k]!);
    report({ bench: "startup", figure: `start() → ${workers} workers registered and first result`, unit: "ms", runs: col("total_ms"), target: "≤ 500", extra: { workers } });
    report({ bench: "startup", figure: `start() resolved (interchange ready, client connected)`, unit: "ms", runs: col("start_resolved_ms") });
    report({ bench: "startup", figure: `start() → first result`, unit: "ms", runs: col("first_result_ms") });
    report({ bench: "startup", figure: `start() → ${workers} workers registered`, unit: "ms", runs: col("all_workers_ms") });
  }
}
