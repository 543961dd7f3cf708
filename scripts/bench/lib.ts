/**
 * Shared pieces of the fx benchmarks (scripts/bench/run): start a compiled `dist/fx interchange` as a real
 * process, find its managers and workers, read their CPU seconds and memory from /proc, summarise repeated
 * runs (median and range) and print figures (one JSON line each, then a table).
 * Benchmarks print figures; they never assert speed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { configFromObject } from "../../src/config/load.ts";
import { renderConfigToml } from "../../src/config/render.ts";
import type { FxConfig } from "../../src/config/schema.ts";
import { CommandClient } from "../../src/executor/command-client.ts";
import { HighThroughputExecutor } from "../../src/executor/executor.ts";
import { parseReadyLine, type ReadyInfo } from "../../src/interchange/ready.ts";
import type { CommandRequest } from "../../src/protocol/index.ts";
import { silentLogger } from "../../src/util/log.ts";

export const ROOT = path.resolve(import.meta.dir, "../..");
export const FX = process.env.FX_BENCH_BIN ?? path.join(ROOT, "dist/fx");
export const CLK_TCK = 100; // Linux USER_HZ as /proc reports it

// ───────────── /proc ─────────────

export interface ProcSample {
  readonly pid: number;
  readonly ppid: number;
  readonly role: string;
  /** utime + stime, seconds. */
  readonly cpu: number;
  readonly rssBytes: number;
  readonly hwmBytes: number;
  /** Minor page faults so far (first touches of fresh memory, mostly). */
  readonly faults: number;
}

const ROLES = new Set(["interchange", "manager", "worker", "run", "executor"]);

function roleOf(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    for (const a of argv.slice(1, 4)) if (ROLES.has(a)) return a;
    if (argv.some((a) => a.endsWith("sim-manager.ts"))) return "sim-manager";
    if (argv.some((a) => a.endsWith("load-client.ts"))) return "load-client";
    return path.basename(argv[0] ?? "?");
  } catch {
    return "?";
  }
}

/** One process's CPU and memory, or null when it is gone. */
export function sample(pid: number): ProcSample | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { pid, ppid: Number(f[1]), role: roleOf(pid), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK, rssBytes: kb("VmRSS"), hwmBytes: kb("VmHWM"), faults: Number(f[7]) };
  } catch {
    return null;
  }
}

/** `roots` and every live descendant of them. */
export function processTree(roots: readonly number[]): ProcSample[] {
  const parentOf = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  const want = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) if (!want.has(pid) && want.has(ppid)) { want.add(pid); grew = true; }
  }
  // "?": gone between listing and reading (its CPU is lost with it)
  return [...want].map(sample).filter((s): s is ProcSample => s !== null && s.role !== "?");
}

/** CPU seconds per role between two snapshots (processes that appeared in between count from zero). */
export function cpuDelta(before: readonly ProcSample[], after: readonly ProcSample[]): Record<string, number> {
  const b = new Map(before.map((s) => [s.pid, s.cpu]));
  const out: Record<string, number> = {};
  lastByProcess = {};
  for (const s of after) {
    const d = s.cpu - (b.get(s.pid) ?? 0);
    out[s.role] = +((out[s.role] ?? 0) + d).toFixed(3);
    if (s.role !== "bash") lastByProcess[`${s.role}:${s.pid}`] = +d.toFixed(3);
  }
  return out;
}

/** Per process ("role:pid" → CPU s) of the latest cpuDelta, printed with the next figure that has CPU. */
let lastByProcess: Record<string, number> = {};

/** This process's CPU seconds (user + system). */
export function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Snapshot of the client (this process) + the trees under `roots`, for cpuDelta. */
export function snapshot(roots: readonly number[]): ProcSample[] {
  return [{ pid: process.pid, ppid: process.ppid, role: "client", cpu: selfCpu(), rssBytes: 0, hwmBytes: 0, faults: process.resourceUsage().minorPageFault }, ...processTree(roots)];
}

/** Minor page faults per role between two snapshots. */
export function faultsDelta(before: readonly ProcSample[], after: readonly ProcSample[]): Record<string, number> {
  const b = new Map(before.map((s) => [s.pid, s.faults]));
  const out: Record<string, number> = {};
  for (const s of after) out[s.role] = (out[s.role] ?? 0) + s.faults - (b.get(s.pid) ?? 0);
  return out;
}

// ───────────── statistics, output ─────────────

export interface Stats { readonly median: number; readonly min: number; readonly max: number }

export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median: mid, min: s[0]!, max: s[s.length - 1]! };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Figure {
  readonly bench: string;
  readonly figure: string;
  readonly unit: string;
  readonly runs: readonly number[];
  /** Target, for the table ("≥ 100000", "≤ 0.25"). */
  readonly target?: string;
  /** CPU seconds per role, median over runs (per run, not per task). */
  readonly cpu?: Record<string, number>;
  readonly extra?: Record<string, unknown>;
}

const table: string[][] = [];

function round(x: number): number {
  const a = Math.abs(x);
  return a >= 1000 ? Math.round(x) : a >= 10 ? +x.toFixed(1) : a >= 0.1 ? +x.toFixed(3) : +x.toPrecision(3);
}

/** Prints one JSON line for the figure and remembers a table row. */
export function report(f: Figure): void {
  const s = stats(f.runs);
  const line = {
    bench: f.bench, figure: f.figure, unit: f.unit, median: round(s.median), min: round(s.min), max: round(s.max), runs: f.runs.length,
    ...(f.target ? { target: f.target } : {}), ...(f.cpu ? { cpu_s: f.cpu, cpu_s_last_run_by_process: lastByProcess } : {}), ...(f.extra ?? {}),
  };
  console.log(JSON.stringify(line));
  const cpu = f.cpu ? Object.entries(f.cpu).map(([k, v]) => `${k} ${round(v)}`).join(", ") : "";
  table.push([`${f.bench}: ${f.figure}`, `${round(s.median)} ${f.unit}`, `${round(s.min)} – ${round(s.max)}`, f.target ?? "", cpu]);
}

/** Median CPU per role over several runs' deltas. */
export function medianCpu(runs: readonly Record<string, number>[]): Record<string, number> {
  const roles = new Set(runs.flatMap((r) => Object.keys(r)));
  const out: Record<string, number> = {};
  for (const role of roles) out[role] = +stats(runs.map((r) => r[role] ?? 0)).median.toFixed(3);
  return out;
}

export function printTable(): void {
  if (table.length === 0) return;
  const head = ["figure", "median", "range", "target", "CPU s per run (median)"];
  const rows = [head, ...table];
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log("");
  for (const r of rows) console.log(r.map((c, i) => (i === 1 || i === 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join("  ").trimEnd());
}

// ───────────── an interchange as a real process ─────────────

export function benchConfig(over: Record<string, Record<string, unknown>>, logdir: string): FxConfig {
  return configFromObject({
    ...over,
    executor: { heartbeat_period: 30, heartbeat_threshold: 120, ...(over.executor ?? {}) },
    provider: { init_blocks: 0, min_blocks: 0, max_blocks: 1, ...(over.provider ?? {}) },
    logging: { level: "warn", logdir },
  }, { origin: "<bench>" });
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fx-bench-${tag}-`));
}

/**
 * `dist/fx interchange --config-stdin` (how an executor starts it) and a client connected to it.
 * With `provider.init_blocks` ≥ 1 its local provider starts the managers (which start their workers).
 */
export class Endpoint {
  readonly dir = tempDir("ep");
  child!: ChildProcess;
  info!: ReadyInfo;
  commands!: CommandClient;
  private stderr = "";

  constructor(readonly config: FxConfig, private readonly logdir: string) {}

  static async start(over: Record<string, Record<string, unknown>>): Promise<Endpoint> {
    const logdir = tempDir("log");
    const ep = new Endpoint(benchConfig(over, logdir), logdir);
    await ep.launch();
    return ep;
  }

  private launch(): Promise<void> {
    this.child = spawn(FX, ["interchange", "--config-stdin"], { stdio: ["pipe", "pipe", "pipe"], cwd: this.dir });
    this.child.stdin!.end(renderConfigToml(this.config));
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    return new Promise((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => reject(new Error(`interchange not ready in 30 s: ${this.stderr}`)), 30_000);
      this.child.on("exit", (code) => reject(new Error(`interchange exited (${code}): ${this.stderr}`)));
      this.child.stdout!.setEncoding("utf8");
      this.child.stdout!.on("data", (s: string) => {
        buf += s;
        const info = buf.split("\n").map(parseReadyLine).find((x) => x !== null);
        if (info) {
          clearTimeout(timer);
          this.info = info;
          this.commands = new CommandClient(info.client.commands, silentLogger);
          resolve();
        }
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  command(req: CommandRequest, timeoutMs = 30_000): Promise<unknown> {
    return this.commands.call(req, timeoutMs);
  }

  /** Polls the `workers` command until `workers` are registered. */
  async waitWorkers(workers: number, timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const w = (await this.command({ type: "workers" })) as { managers: number; workers: number };
      if (w.workers >= workers) return;
      if (Date.now() > end) throw new Error(`only ${w.workers} of ${workers} workers registered after ${timeoutMs} ms`);
      await Bun.sleep(20);
    }
  }

  async client(): Promise<HighThroughputExecutor> {
    const ex = new HighThroughputExecutor(this.config, { logger: silentLogger });
    await ex.connect(this.info.client);
    return ex;
  }

  async stop(): Promise<void> {
    const tree = processTree([this.pid]).map((s) => s.pid);
    await this.commands.close().catch(() => {});
    if (this.child.exitCode === null) {
      const gone = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await Promise.race([gone, Bun.sleep(5000)]);
    }
    await Bun.sleep(200);
    for (const pid of tree) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (!process.env.FX_BENCH_KEEP_LOGS) fs.rmSync(this.logdir, { recursive: true, force: true });
  }
}

/** A no-op task function (its source is what travels). */
export function noop(): number {
  return 0;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly repeat: number;
}
