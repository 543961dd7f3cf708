/**
 * Spawns a libzmq test peer (pyzmq under /usr/bin/python3, or the npm `zeromq` addon under Node), waits
 * for its READY line and talks to it with one JSON command per line. See README.md in this directory.
 * Every peer started is remembered; `killAllPeers()` (call it in afterEach) kills what is still running.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type PeerKind = "pyzmq" | "zeromq.js";
export const PEER_KINDS: readonly PeerKind[] = ["pyzmq", "zeromq.js"];

const HERE = import.meta.dir;
const ROOT = path.resolve(HERE, "../../..");
const PYTHON = "/usr/bin/python3";

export type FrameSpec = { hex: string } | { utf8: string } | { size: number; seed?: number };
export interface FrameReport {
  len: number;
  crc: number;
  hex?: string;
}

export interface PeerOptions {
  type: "DEALER" | "ROUTER" | "REQ" | "REP" | "PUB" | "SUB" | "PULL" | "PUSH";
  bind?: string[];
  connect?: string[];
  count?: number;
  routingId?: string;
  /** SUB prefixes as raw strings ("" = all). */
  subscribe?: string[];
  heartbeat?: { interval: number; timeout: number; ttl: number };
  maxMessageSize?: number;
  echo?: boolean;
  /** Watch the sockets' events (libzmq socket monitor); read them with `events()`. */
  monitor?: boolean;
}

let availability: Map<PeerKind, string | null> | undefined;

/** Why a peer kind cannot run here, or null when it can. Checked once per process. */
export function peerUnavailable(kind: PeerKind): string | null {
  if (!availability) {
    availability = new Map();
    const py = spawnSync(PYTHON, ["-c", "import zmq"], { encoding: "utf8" });
    availability.set("pyzmq", py.status === 0 ? null : `${PYTHON} cannot import zmq (install python3-zmq)`);
    const nodeBin = Bun.which("node");
    if (!nodeBin) availability.set("zeromq.js", "node is not on PATH");
    else {
      const js = spawnSync(nodeBin, ["-e", "require('zeromq')"], { cwd: ROOT, encoding: "utf8" });
      availability.set("zeromq.js", js.status === 0 ? null : `node cannot load the zeromq addon: ${js.stderr.trim().split("\n")[0]}`);
    }
  }
  return availability.get(kind) ?? null;
}

function argvFor(kind: PeerKind, o: PeerOptions): string[] {
  const args = ["--type", o.type];
  for (const ep of o.bind ?? []) args.push("--bind", ep);
  for (const ep of o.connect ?? []) args.push("--connect", ep);
  if (o.count !== undefined) args.push("--count", String(o.count));
  if (o.routingId !== undefined) args.push("--routing-id", o.routingId);
  for (const p of o.subscribe ?? []) args.push(`--subscribe=${Buffer.from(p).toString("hex")}`);
  if (o.heartbeat) args.push("--heartbeat", `${o.heartbeat.interval},${o.heartbeat.timeout},${o.heartbeat.ttl}`);
  if (o.maxMessageSize !== undefined) args.push("--max-msg-size", String(o.maxMessageSize));
  if (o.echo) args.push("--echo");
  if (o.monitor) args.push("--monitor");
  return kind === "pyzmq"
    ? [PYTHON, path.join(HERE, "pyzmq-peer.py"), ...args]
    : [Bun.which("node") ?? "node", path.join(HERE, "zeromqjs-peer.mjs"), ...args];
}

const live = new Set<Peer>();

export class Peer {
  readonly endpoints: string[];
  private lines: string[] = [];
  private waiters: Array<(line: string | null) => void> = [];
  private exited = false;
  stderr = "";

  private constructor(
    readonly kind: PeerKind,
    readonly child: ChildProcess,
    endpoints: string[],
  ) {
    this.endpoints = endpoints;
  }

  /** The first endpoint (what the peer bound, or connected to). */
  get endpoint(): string {
    const ep = this.endpoints[0];
    if (!ep) throw new Error(`${this.kind} peer reported no endpoint`);
    return ep;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(kind: PeerKind, o: PeerOptions, readyTimeoutMs = 30_000): Promise<Peer> {
    const argv = argvFor(kind, o);
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let buf = "";
    let peer: Peer | undefined;
    let stderr = "";
    const early: string[] = [];
    let readyResolve: (eps: string[]) => void = () => {};
    let readyReject: (e: Error) => void = () => {};
    const ready = new Promise<string[]>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      stderr += d;
      if (peer) peer.stderr += d;
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!peer) {
          if (line.startsWith("READY ")) readyResolve((JSON.parse(line.slice(6)) as { endpoints: string[] }).endpoints);
          else early.push(line);
        } else peer.push(line);
      }
    });
    child.on("exit", (code, sig) => {
      if (!peer) readyReject(new Error(`${kind} peer exited (${code ?? sig}) before READY: ${stderr.trim()}`));
      else peer.onExit();
    });
    child.on("error", (e) => readyReject(e));
    const timer = setTimeout(() => readyReject(new Error(`${kind} peer not ready after ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs);
    try {
      const eps = await ready;
      peer = new Peer(kind, child, eps);
      peer.stderr = stderr;
      live.add(peer);
      for (const l of early) peer.push(l);
      return peer;
    } catch (e) {
      child.kill("SIGKILL");
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private push(line: string): void {
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }

  private onExit(): void {
    this.exited = true;
    live.delete(this);
    for (const w of this.waiters.splice(0)) w(null);
  }

  get alive(): boolean {
    return !this.exited;
  }

  private nextLine(timeoutMs: number): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.reject(new Error(`${this.kind} peer has exited: ${this.stderr.trim()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(cb);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`${this.kind} peer did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const cb = (line: string | null) => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`${this.kind} peer exited: ${this.stderr.trim()}`));
        else resolve(line);
      };
      this.waiters.push(cb);
    });
  }

  /** Sends one command and returns its answer (commands are answered in order). */
  async command<T = Record<string, unknown>>(cmd: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    this.child.stdin!.write(JSON.stringify(cmd) + "\n");
    const line = await this.nextLine(timeoutMs);
    const answer = JSON.parse(line) as T & { error?: string };
    return answer;
  }

  async send(frames: FrameSpec[], sock = 0): Promise<void> {
    const r = await this.command<{ ok?: boolean; error?: string }>({ op: "send", sock, frames });
    if (!r.ok) throw new Error(`${this.kind} peer send failed: ${r.error}`);
  }

  /** One message from socket `sock` (-1 = any), or null on timeout. */
  async recv(timeoutMs = 20_000, sock = 0): Promise<FrameReport[] | null> {
    const r = await this.command<{ frames?: FrameReport[]; error?: string }>({ op: "recv", sock, timeout: timeoutMs }, timeoutMs + 30_000);
    if (r.frames) return r.frames;
    if (r.error === "timeout") return null;
    throw new Error(`${this.kind} peer recv failed: ${r.error}`);
  }

  async sendSeq(n: number, start = 0, prefix: FrameSpec[] = [], sock = 0): Promise<void> {
    const r = await this.command<{ ok?: boolean; error?: string }>({ op: "send_seq", sock, n, start, prefix }, 120_000);
    if (!r.ok) throw new Error(`${this.kind} peer send_seq failed: ${r.error}`);
  }

  async recvCount(n: number, timeoutMs = 30_000, sock = 0): Promise<{ count: number; socks: number[]; last: FrameReport[] | null }> {
    return this.command({ op: "recv_count", sock, n, timeout: timeoutMs }, timeoutMs + 30_000);
  }

  /** How many disconnects the libzmq socket monitor has reported so far (needs `monitor: true`). */
  async disconnects(): Promise<number> {
    const r = await this.command<{ events?: Record<string, number>; error?: string }>({ op: "events" });
    if (!r.events) throw new Error(`${this.kind} peer events failed: ${r.error}`);
    // pyzmq names it "disconnected", zeromq.js "disconnect".
    return (r.events.disconnected ?? 0) + (r.events.disconnect ?? 0);
  }

  /** Asks the peer to quit, then makes sure it is gone. */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      this.child.stdin!.write(JSON.stringify({ op: "quit" }) + "\n");
    } catch {
      // stdin already closed
    }
    await this.waitExit(5_000);
    this.kill();
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.exited) return;
    try {
      if (signal === "SIGKILL") process.kill(this.pid, "SIGCONT");
    } catch {
      // already gone
    }
    this.child.kill(signal);
  }

  waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Kills every peer still running (afterEach). */
export async function killAllPeers(): Promise<void> {
  const peers = [...live];
  for (const p of peers) p.kill();
  await Promise.all(peers.map((p) => p.waitExit(5_000)));
}

/** The bytes a `{size, seed}` frame spec stands for (byte i = (seed + i) & 0xff). */
export function patternBytes(size: number, seed = 0): Uint8Array {
  const b = new Uint8Array(size);
  const block = new Uint8Array(256);
  for (let i = 0; i < 256; i++) block[i] = (seed + i) & 0xff;
  for (let off = 0; off < size; off += 256) b.set(size - off >= 256 ? block : block.subarray(0, size - off), off);
  return b;
}

export function crc32(b: Uint8Array): number {
  return Bun.hash.crc32(b);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** A fresh temp dir for ipc:// sockets; removed by the caller. ipc paths must stay under ~100 bytes. */
export function ipcDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "fx-ipc-"));
}

/** Polls `cond` until it is true (or throws after timeoutMs). Never a fixed sleep. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(10);
  }
}
