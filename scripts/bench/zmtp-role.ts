/**
 * Our side of scripts/bench/zmtp: the same roles and output as zmtp-peer.c, on our ZMTP sockets.
 *   sink BIND_EP N | source CONNECT_EP N SIZE | echo BIND_EP | ping CONNECT_EP N SIZE
 * Uses the fast paths a hot loop in fx would use: onMessage callbacks and trySend, falling back to
 * `await send()` only when a peer's queue is full.
 */
import { Dealer, Router } from "../../src/zmtp/index.ts";

const [role, ep, nArg, sizeArg] = process.argv.slice(2);
const n = Number(nArg ?? 0);
const size = Number(sizeArg ?? 64);
const big = { maxMessageSize: 1 << 30 };

function out(o: unknown): void {
  process.stdout.write(`${typeof o === "string" ? o : JSON.stringify(o)}\n`);
}

async function sink(): Promise<void> {
  const r = new Router({ ...big, receiveHighWaterMark: 100_000 });
  await r.bind(ep!);
  out(`READY ${r.lastEndpoint}`);
  let count = 0;
  let bytes = 0;
  let t0 = 0;
  r.onMessage = (frames) => {
    for (let i = 1; i < frames.length; i++) bytes += frames[i]!.length;
    if (++count === 1) t0 = performance.now();
    if (count === n) {
      out({ n, bytes, secs: (performance.now() - t0) / 1000 });
      process.exit(0);
    }
  };
}

async function source(): Promise<void> {
  const d = new Dealer(big);
  d.connect(ep!);
  const buf = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    if (!d.trySend([buf])) await d.send([buf]);
  }
  setInterval(() => {}, 1 << 30); // stay until the driver kills us (everything queued gets written)
}

async function echo(): Promise<void> {
  const r = new Router(big);
  await r.bind(ep!);
  out(`READY ${r.lastEndpoint}`);
  r.onMessage = (frames) => {
    r.trySend(frames);
  };
}

async function ping(): Promise<void> {
  const d = new Dealer(big);
  d.connect(ep!);
  const buf = new Uint8Array(size);
  const lat = new Float64Array(n);
  let sum = 0;
  let stuck: ReturnType<typeof setTimeout> | undefined;
  for (let i = -1000; i < n; i++) {
    const t = performance.now();
    await d.send([buf]);
    clearTimeout(stuck);
    stuck = setTimeout(() => {
      console.error(`zmtp-role ping: no reply within 10 s at round trip ${i} (peers ${d.peerCount})`);
      process.exit(1);
    }, 10_000);
    await d.receive();
    const us = (performance.now() - t) * 1000;
    if (i >= 0) {
      lat[i] = us;
      sum += us;
    }
  }
  clearTimeout(stuck);
  lat.sort();
  out({ n, p50_us: Number(lat[n >> 1]!.toFixed(2)), p99_us: Number(lat[Math.floor((n * 99) / 100)]!.toFixed(2)), mean_us: Number((sum / n).toFixed(2)) });
  process.exit(0);
}

const roles: Record<string, () => Promise<void>> = { sink, source, echo, ping };
const run = role ? roles[role] : undefined;
if (!run || !ep) {
  console.error("usage: zmtp-role.ts sink|source|echo|ping ENDPOINT [N] [SIZE]");
  process.exit(2);
}
await run();
