/**
 * The floor under every fx hop, without ZMTP or msgpack: two Bun processes on 127.0.0.1 (this one and
 * hop-peer.ts). A 64-byte ping-pong (p50/p99 µs), once free to run on either vCPU and once with both pinned to
 * one (`taskset`, when installed); and one-way throughput of 100 KiB writes (MB/s) with the CPU each side
 * spends per 100 KiB — what the kernel and the runtime charge for moving a payload across one hop — over TCP
 * and over a Unix socket (the manager ↔ worker transport).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile, report, sample, selfCpu, type BenchContext } from "./lib.ts";

async function startPeer(args: string[], pin: string | null): Promise<{ p: ChildProcess; port: number }> {
  const argv = [process.execPath, path.join(import.meta.dir, "hop-peer.ts"), ...args];
  const p = spawn(pin ? "taskset" : argv[0]!, pin ? ["-c", pin, ...argv] : argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  p.stdout!.setEncoding("utf8");
  const port = await new Promise<number>((resolve, reject) => {
    p.stdout!.once("data", (s: string) => resolve((JSON.parse(s) as { port: number }).port));
    p.once("exit", (c) => reject(new Error(`hop-peer exited ${c}`)));
  });
  return { p, port };
}

/** This process's CPU list at start, restored after a pinned run. */
const ORIGINAL_CPUS = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0-1023";

function pinSelf(cpu: string | null): void {
  if (cpu === null) return;
  Bun.spawnSync(["taskset", "-p", "-c", cpu, String(process.pid)], { stdout: "ignore", stderr: "ignore" });
}

async function pingPong(n: number, pin: string | null): Promise<number[]> {
  const { p, port } = await startPeer(["echo"], pin);
  pinSelf(pin);
  const xs: number[] = [];
  try {
    const msg = new Uint8Array(64);
    let waiting: (() => void) | null = null;
    let got = 0;
    const sock = await Bun.connect({
      hostname: "127.0.0.1", port,
      socket: { data(_s, chunk) { got += chunk.length; if (got >= 64 && waiting) { got -= 64; const w = waiting; waiting = null; w(); } } },
    });
    for (let i = 0; i < n + 500; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => { waiting = resolve; sock.write(msg); });
      if (i >= 500) xs.push((performance.now() - t0) * 1000);
    }
    sock.end();
  } finally {
    pinSelf(pin === null ? null : ORIGINAL_CPUS);
    p.stdin!.end();
    p.kill();
  }
  return xs.sort((a, b) => a - b);
}

interface Throughput {
  mbs: number;
  cpuSender: number;
  cpuReceiver: number;
}

async function throughput(size: number, count: number, unixPath: string | null): Promise<Throughput> {
  const { p, port } = await startPeer(["sink", String(size * count), ...(unixPath ? [unixPath] : [])], null);
  try {
    const chunk = new Uint8Array(size).fill(7);
    let done: () => void = () => {};
    let drain: () => void = () => {};
    const socket = { data() { done(); }, drain() { drain(); } };
    const sock = await (unixPath ? Bun.connect({ unix: unixPath, socket }) : Bun.connect({ hostname: "127.0.0.1", port, socket }));
    const finished = new Promise<void>((r) => (done = r));
    const c0 = selfCpu();
    const r0 = sample(p.pid!)!.cpu;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      let off = 0;
      while (off < size) {
        const w = sock.write(off === 0 ? chunk : chunk.subarray(off));
        if (w < 0) throw new Error("socket closed");
        off += w;
        if (off < size) await new Promise<void>((r) => (drain = r));
      }
    }
    await finished;
    const s = (performance.now() - t0) / 1000;
    const out = { mbs: (size * count) / s / 1e6, cpuSender: ((selfCpu() - c0) / count) * 1e6, cpuReceiver: ((sample(p.pid!)!.cpu - r0) / count) * 1e6 };
    sock.end();
    return out;
  } finally {
    p.stdin!.end();
    p.kill();
  }
}

export async function hop(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 2000 : 20_000;
  const pins: (string | null)[] = Bun.which("taskset") ? [null, "1"] : [null];
  for (const pin of pins) {
    const p50: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < ctx.repeat; r++) {
      const xs = await pingPong(n, pin);
      p50.push(percentile(xs, 50));
      p99.push(percentile(xs, 99));
    }
    const where = pin === null ? "unpinned" : "both on one vCPU";
    report({ bench: "hop", figure: `raw TCP ping-pong p50, 64 B, two Bun processes, ${where}`, unit: "µs", runs: p50, extra: { n } });
    report({ bench: "hop", figure: `raw TCP ping-pong p99, 64 B, two Bun processes, ${where}`, unit: "µs", runs: p99 });
  }
  const size = 100 * 1024;
  const count = ctx.quick ? 2000 : 20_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-hop-"));
  try {
    // tcp (client ↔ interchange ↔ manager) and a Unix socket (manager ↔ workers: ipc://), alternated per run
    const runs = { tcp: [] as Throughput[], unix: [] as Throughput[] };
    for (let r = 0; r < ctx.repeat; r++) {
      runs.tcp.push(await throughput(size, count, null));
      runs.unix.push(await throughput(size, count, path.join(dir, `hop-${r}.sock`)));
    }
    for (const [t, label] of [["tcp", "TCP"], ["unix", "Unix socket"]] as const) {
      const xs = runs[t];
      const over = t === "tcp" ? "" : " over a Unix socket";
      report({ bench: "hop", figure: `raw ${label} one-way, 100 KiB writes, two Bun processes`, unit: "MB/s", runs: xs.map((x) => x.mbs), extra: { count } });
      report({ bench: "hop", figure: `CPU per 100 KiB moved one hop${over}: sender`, unit: "µs", runs: xs.map((x) => x.cpuSender) });
      report({ bench: "hop", figure: `CPU per 100 KiB moved one hop${over}: receiver`, unit: "µs", runs: xs.map((x) => x.cpuReceiver) });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
