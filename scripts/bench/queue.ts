/**
 * 4. Queue memory: N no-op tasks queued on an interchange with no manager connected. A raw client (a ZMTP
 * DEALER speaking the client channel: client_hello, then pre-encoded `submit` messages of 4096 tasks, the
 * executor's batch size) so the figure is the interchange's, not the client's. Interchange RSS before and at
 * peak (VmHWM), bytes per queued task (and beyond the task's payload bytes), and the time from the first
 * submit byte until the `outstanding` command reports all N queued. Peak RSS includes the transient garbage of
 * decoding (what the machine must provide); the RSS 2 s later shows what the queue itself keeps.
 */
import { heapStats } from "bun:jsc";
import { fnBody } from "../../src/executor/bodies.ts";
import { MSG, PROTOCOL_VERSION, FX_VERSION, RAW_TASK_TYPE, encode, type WireTask } from "../../src/protocol/index.ts";
import { Dealer } from "../../src/zmtp/index.ts";
import { Endpoint, cpuDelta, medianCpu, noop, report, sample, selfCpu, snapshot, type BenchContext } from "./lib.ts";

/** Tasks per pre-encoded submit message (the executor's batch size); FX_BENCH_PER_MESSAGE overrides it for experiments. */
const PER_MESSAGE = Number(process.env.FX_BENCH_PER_MESSAGE ?? 4096);

export async function queueMemory(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 100_000 : 1_000_000;
  const payload = encode(fnBody(noop, []));
  // pre-encode every submit message once (ids differ per message, so each is built)
  const messages: Buffer[] = [];
  for (let first = 1; first <= n; first += PER_MESSAGE) {
    const tasks: WireTask[] = [];
    for (let id = first; id < first + PER_MESSAGE && id <= n; id++) tasks.push({ id, task_type: RAW_TASK_TYPE, payload });
    messages.push(encode({ type: MSG.submit, tasks }));
  }
  const perTask = [] as number[];
  const beyond = [] as number[];
  const absorb = [] as number[];
  const rssBefore = [] as number[];
  const rssPeak = [] as number[];
  const settled = [] as number[];
  const cpus: Record<string, number>[] = [];
  for (let r = 0; r < ctx.repeat; r++) {
    const ep = await Endpoint.start({ provider: { max_blocks: 0 } });
    const dealer = new Dealer({ routingId: Buffer.from(`bench-queue-${r}`), sendHighWaterMark: 1_000_000, linger: 0 });
    try {
      dealer.connect(ep.info.client.tasks);
      const welcome = (async () => {
        for await (const _ of dealer) return; // the welcome
      })();
      await dealer.send(encode({ type: MSG.clientHello, protocol_version: PROTOCOL_VERSION, fx_version: FX_VERSION, want_status: false }));
      await welcome;
      await ep.command({ type: "outstanding" });
      await Bun.sleep(200);
      const s0 = sample(ep.pid)!;
      const before = snapshot([ep.pid]);
      const t0 = performance.now();
      for (const m of messages) void dealer.send(m);
      for (;;) {
        const o = (await ep.command({ type: "outstanding" }, 60_000)) as { queued: number };
        if (o.queued >= n) break;
        await Bun.sleep(5);
      }
      absorb.push((performance.now() - t0) / 1000);
      cpus.push(cpuDelta(before, snapshot([ep.pid])));
      const s1 = sample(ep.pid)!;
      await Bun.sleep(2000); // the transient garbage of decoding (message objects, receive buffers) collected
      const s2 = sample(ep.pid)!;
      settled.push((s2.rssBytes - s0.rssBytes) / n - payload.length);
      rssBefore.push(s0.rssBytes / 2 ** 20);
      rssPeak.push(s1.hwmBytes / 2 ** 20);
      perTask.push((s1.hwmBytes - s0.rssBytes) / n);
      beyond.push((s1.hwmBytes - s0.rssBytes) / n - payload.length);
    } finally {
      await dealer.close();
      await ep.stop();
    }
  }
  const cpu = medianCpu(cpus);
  report({ bench: "queue", figure: `interchange RSS before queueing`, unit: "MiB", runs: rssBefore });
  report({ bench: "queue", figure: `interchange peak RSS with ${n} queued`, unit: "MiB", runs: rssPeak });
  report({ bench: "queue", figure: `bytes per queued no-op (payload ${payload.length} B)`, unit: "B", runs: perTask, extra: { n, payload_bytes: payload.length } });
  report({ bench: "queue", figure: `bytes per queued no-op beyond its payload`, unit: "B", runs: beyond, target: "≤ 150" });
  report({ bench: "queue", figure: `bytes per queued no-op beyond its payload, RSS 2 s later`, unit: "B", runs: settled });
  report({ bench: "queue", figure: `time to absorb ${n} tasks`, unit: "s", runs: absorb, target: n === 1_000_000 ? "≤ 2" : undefined, cpu });
  await queueViaExecutor(ctx);
}

/** The same N through the executor API (submit() per task): what a real client reaches, and what it costs it. */
export async function queueViaExecutor(ctx: BenchContext): Promise<void> {
  const n = ctx.quick ? 100_000 : 1_000_000;
  const secs: number[] = [];
  const clientCpu: number[] = [];
  const clientHeap: number[] = [];
  for (let r = 0; r < Math.min(ctx.repeat, 2); r++) {
    const ep = await Endpoint.start({ provider: { max_blocks: 0 } });
    try {
      const ex = await ep.client();
      Bun.gc(true);
      const h0 = heapStats().heapSize;
      const c0 = selfCpu();
      const t0 = performance.now();
      const all: Promise<number>[] = new Array(n);
      for (let i = 0; i < n; i++) all[i] = ex.submit(noop);
      for (;;) {
        const o = (await ep.command({ type: "outstanding" }, 60_000)) as { queued: number };
        if (o.queued >= n) break;
        await Bun.sleep(5);
      }
      secs.push((performance.now() - t0) / 1000);
      clientCpu.push(((selfCpu() - c0) / n) * 1e6);
      Bun.gc(true);
      clientHeap.push((heapStats().heapSize - h0) / n - 8); // less the bench's own array slot per promise
      for (const p of all) p.catch(() => {}); // they fail when the interchange stops
      await ex.shutdown();
    } finally {
      await ep.stop();
    }
  }
  report({ bench: "queue", figure: `time until ${n} submit() calls are all queued (executor API)`, unit: "s", runs: secs, extra: { n } });
  report({ bench: "queue", figure: `client CPU per submit() while queueing`, unit: "µs", runs: clientCpu });
  report({ bench: "queue", figure: `client heap per pending submit() (its promise and what settles it)`, unit: "B", runs: clientHeap });
}
