#!/usr/bin/env node
// libzmq test peer on the npm `zeromq` v6 addon. Run it with Node (the addon aborts under Bun).
// Protocol: see README.md in this directory.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { crc32 } from "node:zlib";
import * as zmq from "zeromq";

const TYPES = {
  DEALER: zmq.Dealer, ROUTER: zmq.Router, REQ: zmq.Request, REP: zmq.Reply,
  PUB: zmq.Publisher, SUB: zmq.Subscriber, PULL: zmq.Pull, PUSH: zmq.Push,
};

const { values: a } = parseArgs({
  options: {
    type: { type: "string" },
    bind: { type: "string", multiple: true, default: [] },
    connect: { type: "string", multiple: true, default: [] },
    count: { type: "string", default: "1" },
    "routing-id": { type: "string" },
    subscribe: { type: "string", multiple: true, default: [] },
    heartbeat: { type: "string" },
    "max-msg-size": { type: "string" },
    echo: { type: "boolean", default: false },
    monitor: { type: "boolean", default: false },
  },
});

function makeFrame(spec) {
  if (spec.hex !== undefined) return Buffer.from(spec.hex, "hex");
  if (spec.utf8 !== undefined) return Buffer.from(spec.utf8, "utf8");
  const n = spec.size, seed = spec.seed ?? 0;
  const b = Buffer.allocUnsafe(n);
  const block = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) block[i] = (seed + i) & 0xff;
  for (let off = 0; off < n; off += 256) block.copy(b, off, 0, Math.min(256, n - off));
  return b;
}

function reportFrame(b) {
  const r = { len: b.length, crc: crc32(b) };
  if (b.length <= 512) r.hex = Buffer.from(b).toString("hex");
  return r;
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

async function makeSockets() {
  const Ctor = TYPES[a.type];
  if (!Ctor) throw new Error(`unknown --type ${a.type}`);
  const n = Number(a.count);
  const socks = [];
  for (let i = 0; i < n; i++) {
    const opts = { linger: 0 };
    if (a.type !== "SUB" && a.type !== "PULL") opts.sendTimeout = 20000;
    if (a["routing-id"] !== undefined) opts.routingId = n === 1 ? a["routing-id"] : `${a["routing-id"]}${i}`;
    if (a.heartbeat) {
      const [ivl, timeout, ttl] = a.heartbeat.split(",").map(Number);
      Object.assign(opts, { heartbeatInterval: ivl, heartbeatTimeout: timeout, heartbeatTimeToLive: ttl });
    }
    if (a["max-msg-size"] !== undefined) opts.maxMessageSize = Number(a["max-msg-size"]);
    const s = new Ctor(opts);
    if (a.type === "SUB") for (const p of a.subscribe) s.subscribe(Buffer.from(p, "hex"));
    for (const ep of a.bind) await s.bind(ep);
    for (const ep of a.connect) s.connect(ep);
    socks.push(s);
  }
  return socks;
}

/** Receives one message from any of `socks` within `timeout` ms: [index, frames] or null. */
function recvOne(socks, timeout, pending) {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => { done = true; resolve(null); }, timeout);
    socks.forEach((s, i) => {
      let p = pending.get(s);
      if (!p) { p = s.receive(); pending.set(s, p); }
      p.then((msg) => {
        if (done || pending.get(s) !== p) return;
        pending.delete(s);
        done = true;
        clearTimeout(timer);
        resolve([i, msg]);
      }, () => {});
    });
  });
}

async function runCommand(socks, cmd, pending) {
  const targets = cmd.sock === -1 ? socks : [socks[cmd.sock ?? 0]];
  switch (cmd.op) {
    case "send": {
      const frames = cmd.frames.map(makeFrame);
      for (const s of targets) await s.send(frames);
      return { ok: true };
    }
    case "send_seq": {
      const prefix = (cmd.prefix ?? []).map(makeFrame);
      const start = cmd.start ?? 0;
      for (let k = 0; k < cmd.n; k++) for (const s of targets) await s.send([...prefix, String(start + k)]);
      return { ok: true, sent: cmd.n };
    }
    case "recv": {
      const r = await recvOne(targets, cmd.timeout ?? 10000, pending);
      return r ? { frames: r[1].map(reportFrame) } : { error: "timeout" };
    }
    case "recv_count": {
      const deadline = Date.now() + (cmd.timeout ?? 10000);
      const per = targets.map(() => 0);
      let count = 0, last = null;
      while (count < cmd.n) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const r = await recvOne(targets, left, pending);
        if (!r) break;
        count++; per[r[0]]++; last = r[1];
      }
      return { count, socks: per, last: last ? last.map(reportFrame) : null };
    }
    case "events":
      return { events: Object.fromEntries(eventCounts) };
    case "quit":
      return { ok: true };
    default:
      return { error: `unknown op ${cmd.op}` };
  }
}

async function echo(s) {
  try {
    for await (const msg of s) await s.send(msg);
  } catch {
    // socket closed
  }
}

const eventCounts = new Map();
async function monitor(s) {
  try {
    for await (const ev of s.events) eventCounts.set(ev.type, (eventCounts.get(ev.type) ?? 0) + 1);
  } catch {
    // socket closed
  }
}

const socks = await makeSockets();
if (a.monitor) for (const s of socks) void monitor(s);
process.stdout.write(`READY ${JSON.stringify({ endpoints: socks.map((s) => s.lastEndpoint ?? null) })}\n`);
if (a.echo) for (const s of socks) void echo(s);
const pending = new Map();
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  try {
    out(await runCommand(socks, cmd, pending));
  } catch (e) {
    out({ error: String(e?.message ?? e) });
  }
  if (cmd.op === "quit") break;
}
for (const s of socks) s.close();
process.exit(0);
