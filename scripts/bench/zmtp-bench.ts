/**
 * Drives the ZMTP benchmark (run it through scripts/bench/zmtp, which compiles the C peer).
 * Every figure is measured with two processes, ours (zmtp-role.ts under Bun) and/or C libzmq
 * (zmtp-peer.c), each run `--repeat` times in interleaved rounds; median and best are reported. One JSON line per figure, then a table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({
  options: {
    "c-peer": { type: "string" },
    n: { type: "string", default: "2000000" },
    "big-n": { type: "string", default: "1000" },
    "rtt-n": { type: "string", default: "20000" },
    repeat: { type: "string", default: "5" },
    only: { type: "string", default: "small,rtt,big" },
  },
});
if (!a["c-peer"]) throw new Error("--c-peer PATH is required (scripts/bench/zmtp builds it)");
const C_PEER = a["c-peer"];
const N = Number(a.n);
const BIG_N = Number(a["big-n"]);
const RTT_N = Number(a["rtt-n"]);
const REPEAT = Number(a.repeat);
const ROLE = path.join(import.meta.dir, "zmtp-role.ts");

type Side = "ours" | "libzmq";

function argvOf(side: Side, role: string, ep: string, ...rest: number[]): string[] {
  const r = rest.map(String);
  return side === "ours" ? [process.execPath, ROLE, role, ep, ...r] : [C_PEER, role, ep, ...r];
}
const bindEp = (side: Side): string => (side === "ours" ? "tcp://127.0.0.1:0" : "tcp://127.0.0.1:*");

class Proc {
  private lines: string[] = [];
  private waiters: Array<() => void> = [];
  private buf = "";
  private err = "";
  private exited = false;
  readonly child: ChildProcess;
  constructor(argv: string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (d: string) => (this.err += d));
    this.child.on("exit", () => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async line(timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = this.lines.shift();
      if (l !== undefined) return l;
      if (this.exited) throw new Error(`${this.child.spawnfile} exited: ${this.err.trim()}`);
      if (Date.now() > deadline) throw new Error(`${this.child.spawnfile}: no output within ${timeoutMs} ms`);
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 1000);
      });
    }
  }
  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

async function ready(p: Proc): Promise<string> {
  const l = await p.line(30_000);
  if (!l.startsWith("READY ")) throw new Error(`expected READY, got ${l}`);
  return l.slice(6).trim();
}

async function throughputOnce(from: Side, to: Side, n: number, size: number): Promise<number> {
  const sink = new Proc(argvOf(to, "sink", bindEp(to), n));
  let source: Proc | undefined;
  try {
    const ep = await ready(sink);
    source = new Proc(argvOf(from, "source", ep, n, size));
    const r = JSON.parse(await sink.line()) as { n: number; secs: number };
    return r.n / r.secs;
  } finally {
    sink.kill();
    source?.kill();
  }
}

/** Where the two processes of a round-trip figure run: as the scheduler likes, both on cpu 0, or cpu 0 and 1. */
type Placement = "unpinned" | "same cpu" | "split cpus";
const PIN: Record<Placement, [string[], string[]]> = {
  unpinned: [[], []],
  "same cpu": [["taskset", "-c", "0"], ["taskset", "-c", "0"]],
  "split cpus": [["taskset", "-c", "0"], ["taskset", "-c", "1"]],
};

async function latencyOnce(side: Side, n: number, size: number, place: Placement): Promise<{ p50: number; p99: number }> {
  const [pinEcho, pinPing] = PIN[place];
  const echo = new Proc([...pinEcho, ...argvOf(side, "echo", bindEp(side))]);
  let ping: Proc | undefined;
  try {
    const ep = await ready(echo);
    ping = new Proc([...pinPing, ...argvOf(side, "ping", ep, n, size)]);
    const r = JSON.parse(await ping.line()) as { p50_us: number; p99_us: number };
    return { p50: r.p50_us, p99: r.p99_us };
  } finally {
    echo.kill();
    ping?.kill();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
};

interface Row {
  figure: string;
  /** Median of the runs. */
  value: number;
  /** Best run (highest rate, lowest latency). */
  best: number;
  unit: string;
  ratio: number;
  bestRatio: number;
}
const rows: Row[] = [];

function emit(o: Record<string, unknown>): void {
  console.log(JSON.stringify(o));
}

async function throughput(size: number, n: number): Promise<void> {
  const pairs: Array<[Side, Side]> = [["libzmq", "libzmq"], ["ours", "ours"], ["ours", "libzmq"], ["libzmq", "ours"]];
  // Rounds interleave the pairs, so a burst of load from elsewhere hits them alike.
  const runs: number[][] = pairs.map(() => []);
  for (let i = 0; i < REPEAT; i++) {
    for (let p = 0; p < pairs.length; p++) runs[p]!.push(await throughputOnce(pairs[p]![0], pairs[p]![1], n, size));
  }
  const base = median(runs[0]!);
  const baseBest = Math.max(...runs[0]!);
  pairs.forEach(([from, to], p) => {
    const m = median(runs[p]!);
    const best = Math.max(...runs[p]!);
    const figure = `throughput ${size} B DEALER→ROUTER ${from}→${to}`;
    const mibs = (m * size) / (1 << 20);
    emit({ figure, size, from, to, n, msgs_per_s: Math.round(m), mib_per_s: Number(mibs.toFixed(1)), ratio_to_libzmq: Number((m / base).toFixed(2)), runs: runs[p]!.map(Math.round) });
    const scale = size >= 1 << 16 ? size / (1 << 20) : 1;
    rows.push({ figure, value: m * scale, best: best * scale, unit: size >= 1 << 16 ? "MiB/s" : "msg/s", ratio: m / base, bestRatio: best / baseBest });
  });
}

async function latency(size: number, place: Placement): Promise<void> {
  const sides: Side[] = ["libzmq", "ours"];
  const runs: Array<Array<{ p50: number; p99: number }>> = sides.map(() => []);
  for (let i = 0; i < REPEAT; i++) {
    for (let k = 0; k < sides.length; k++) runs[k]!.push(await latencyOnce(sides[k]!, RTT_N, size, place));
  }
  const stats = runs.map((rs) => {
    const p50s = rs.map((r) => r.p50);
    const p99s = rs.map((r) => r.p99);
    return { p50: median(p50s), p99: median(p99s), bestP50: Math.min(...p50s), bestP99: Math.min(...p99s) };
  });
  const b = stats[0]!;
  sides.forEach((side, k) => {
    const r = stats[k]!;
    emit({ figure: `round trip ${size} B DEALER↔ROUTER ${side}↔${side} (${place})`, placement: place, n: RTT_N, p50_us: r.p50, p99_us: r.p99, p50_ratio_to_libzmq: Number((r.p50 / b.p50).toFixed(2)), runs: runs[k] });
    rows.push({ figure: `round trip p50 ${side}↔${side} (${place})`, value: r.p50, best: r.bestP50, unit: "µs", ratio: r.p50 / b.p50, bestRatio: r.bestP50 / b.bestP50 });
    rows.push({ figure: `round trip p99 ${side}↔${side} (${place})`, value: r.p99, best: r.bestP99, unit: "µs", ratio: r.p99 / b.p99, bestRatio: r.bestP99 / b.bestP99 });
  });
}
const only = new Set(a.only!.split(","));
if (only.has("small")) await throughput(64, N);
const canPin = navigator.hardwareConcurrency >= 2 && Bun.which("taskset") !== null;
if (only.has("rtt")) for (const place of (canPin ? ["unpinned", "same cpu", "split cpus"] : ["unpinned"]) as Placement[]) await latency(64, place);
if (only.has("big")) await throughput(1 << 20, BIG_N);

const fmt = (v: number): string => (v >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1));
const w = Math.max(...rows.map((r) => r.figure.length));
console.log("");
console.log(`${"figure".padEnd(w)}  ${"median".padStart(12)}  ${"best".padStart(12)}  unit   ÷libzmq (median, best)`);
for (const r of rows) {
  console.log(`${r.figure.padEnd(w)}  ${fmt(r.value).padStart(12)}  ${fmt(r.best).padStart(12)}  ${r.unit.padEnd(5)}  ${r.ratio.toFixed(2)}×  ${r.bestRatio.toFixed(2)}×`);
}
console.log(`(${REPEAT} runs each; 2 processes per figure; ratios are to libzmq→libzmq / libzmq↔libzmq; cpus: ${navigator.hardwareConcurrency})`);
