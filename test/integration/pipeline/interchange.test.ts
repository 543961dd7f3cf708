/**
 * The interchange in this process, on real sockets, with a hand-driven manager (our DEALERs speaking the protocol)
 * and real clients: our executor (connect) and a Python pyzmq client written from docs/protocol.md.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { configFromObject } from "../../../src/config/load.ts";
import { HighThroughputExecutor, RemoteError } from "../../../src/index.ts";
import { Interchange, type InterchangeUrls } from "../../../src/interchange/interchange.ts";
import {
  MSG, PROTOCOL_VERSION, decodeCommandReply, decodeInterchangeToManager, decodeTaskBody, encode, encodeMessage,
  type InterchangeToManager, type Register,
} from "../../../src/protocol/index.ts";
import { systemClock } from "../../../src/util/clock.ts";
import { silentLogger } from "../../../src/util/log.ts";
import { Dealer, Req } from "../../../src/zmtp/index.ts";

let ix: Interchange | null = null;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await ix?.shutdown("test over", false);
  ix = null;
});

async function startInterchange(executor: Record<string, unknown> = {}): Promise<InterchangeUrls> {
  const config = configFromObject({ executor: { heartbeat_period: 0.2, heartbeat_threshold: 2, ...executor }, provider: { init_blocks: 0 } });
  ix = new Interchange({
    config, clientAddress: "127.0.0.1", clientPorts: null, workerPorts: null, workerPortRange: [54000, 55000],
    workerBindAddress: "127.0.0.1", manageBlocks: false,
  }, silentLogger, systemClock);
  return ix.start();
}

/** A manager driven by the test: answers every task with a result computed by `run`. */
class HandManager {
  readonly task: Dealer;
  readonly result: Dealer;
  readonly inbox: InterchangeToManager[] = [];
  answer = true;
  registered = false;
  constructor(readonly id: string, urls: InterchangeUrls, run: (payload: Uint8Array) => unknown) {
    this.task = new Dealer({ routingId: id, linger: 0 });
    this.result = new Dealer({ routingId: id, linger: 0 });
    this.task.connect(urls.task_url);
    this.result.connect(urls.result_url);
    const task = this.task;
    const result = this.result;
    // heartbeats, like a real manager, unless the test makes it silent
    const hb = setInterval(() => {
      if (this.answer && this.registered) task.send(encode({ type: MSG.heartbeat, running: 0, idle_workers: 1, worker_types: ["RAW"] })).catch(() => {});
    }, 100);
    closers.push(() => clearInterval(hb), () => task.close(), () => result.close());
    void (async () => {
      for await (const frames of task) {
        const m = decodeInterchangeToManager(frames);
        this.inbox.push(m);
        if (m.type === MSG.tasks && this.answer) {
          await result.send(encodeMessage({ type: MSG.results, results: m.tasks.map((t) => ({ id: t.id, value: encode(run(t.payload)) })) }));
        }
      }
    })();
  }
  register(over: Partial<Register> = {}) {
    this.registered = true;
    return this.task.send(encode({
      type: MSG.register, protocol_version: PROTOCOL_VERSION, fx_version: "test", manager_id: this.id, block_id: "b0",
      hostname: "hand", os: "linux", pid: 1, cores: 1, memory_bytes: 1, worker_count: 4, worker_types: ["RAW"],
      worker_mode: "no_container", scheduler_mode: "hard", prefetch: 0, ...over,
    }));
  }
  request(capacity: number) {
    return this.task.send(encode({ type: MSG.request, capacity }));
  }
  async waitFor(type: string, timeoutMs = 10_000) {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const m = this.inbox.find((x) => x.type === type);
      if (m) return m;
      await Bun.sleep(10);
    }
    throw new Error(`manager ${this.id} got no ${type}`);
  }
}

const shellEcho = (payload: Uint8Array) => {
  const b = decodeTaskBody(payload);
  const out = b.kind === "shell" ? `ran: ${b.command ?? b.argv?.join(" ")}\n` : "?";
  return { returncode: 0, stdout: out, stderr: "", stdout_truncated: false, stderr_truncated: false, duration_ms: 0 };
};

async function command(url: string, req: object) {
  const r = new Req({ linger: 0 });
  closers.push(() => r.close());
  r.connect(url);
  await r.send(encode(req));
  const [f] = await r.receive();
  return decodeCommandReply(f!);
}

const pythonOk = spawnSync("/usr/bin/python3", ["-c", "import zmq, msgpack"]).status === 0;

describe("interchange on real sockets (in-process)", () => {
  test.skipIf(!pythonOk)("a Python pyzmq client written from docs/protocol.md gets its result; our executor on the same interchange gets only its own", async () => {
    const urls = await startInterchange();
    const m = new HandManager("m-1", urls, shellEcho);
    await m.register();
    await m.request(100);
    const ex = new HighThroughputExecutor(configFromObject({}));
    closers.push(() => ex.shutdown());
    await ex.connect(urls.client);
    const mine = ex.submitShell("echo from-executor");
    const py = `
import os, sys, json, zmq, msgpack
s = zmq.Context().socket(zmq.DEALER)
s.setsockopt(zmq.IDENTITY, b"py-" + os.urandom(8).hex().encode())
s.setsockopt(zmq.RCVTIMEO, 20000)
s.connect(sys.argv[1])
s.send(msgpack.packb({"type": "client_hello", "protocol_version": ${PROTOCOL_VERSION}, "fx_version": "py", "want_status": False}))
body = msgpack.packb({"kind": "shell", "command": "echo from-python"})
s.send(msgpack.packb({"type": "submit", "tasks": [{"id": 1, "task_type": "RAW", "payload": body}]}, use_bin_type=True))
seen = []
def results():
    while True:
        frames = s.recv_multipart()
        m = msgpack.unpackb(frames[0], raw=False)
        seen.append(m["type"])
        if m["type"] == "results":
            # a value of 16 KiB or more is an attachment frame; the map holds its index
            return [(r["id"], msgpack.unpackb(frames[1 + r["value"]] if isinstance(r["value"], int) else r["value"], raw=False), len(frames)) for r in m["results"]]
(id1, v1, _), = results()
# a payload of 16 KiB or more may travel as an attachment frame too (inline bin works as well)
big = msgpack.packb({"kind": "shell", "command": "echo " + "x" * 40000})
s.send_multipart([msgpack.packb({"type": "submit", "tasks": [{"id": 2, "task_type": "RAW", "payload": 0}]}), big])
(id2, v2, frames2), = results()
# inline, in a message that spans several reads: the queue keeps a view of it for the big payload
inline = msgpack.packb({"kind": "shell", "command": "echo " + "y" * 600000})
s.send(msgpack.packb({"type": "submit", "tasks": [{"id": 3, "task_type": "RAW", "payload": inline}, {"id": 4, "task_type": "RAW", "payload": body}]}, use_bin_type=True))
got = {}
while len(got) < 2:
    for (i, v, _) in results(): got[i] = v["stdout"]
print(json.dumps({"seen": seen, "id": id1, "value": v1, "id2": id2, "len2": len(v2["stdout"]), "frames2": frames2, "inline": [len(got[3]), got[3][-3:-1], got[4]]}))
`;
    const p = Bun.spawn(["/usr/bin/python3", "-c", py, urls.client.tasks], { stdout: "pipe", stderr: "pipe" });
    closers.push(() => p.kill());
    const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    expect(err).toBe("");
    const got = JSON.parse(out);
    expect(got.seen.slice(0, 3)).toEqual(["client_welcome", "results", "results"]);
    expect([got.id, got.value.stdout]).toEqual([1, "ran: echo from-python\n"]);
    // the big task reached the manager whole, and its big result came back as the map plus one attachment
    expect([got.id2, got.len2, got.frames2]).toEqual([2, "ran: echo ".length + 40000 + 1, 2]);
    // a big payload inline in the map arrived whole beside a small one of the same message
    expect(got.inline).toEqual(["ran: echo ".length + 600000 + 1, "yy", "ran: echo from-python\n"]);
    expect((await mine).stdout).toBe("ran: echo from-executor\n");
  }, 60_000);

  test("a manager of another protocol version gets bad_registration and no tasks", async () => {
    const urls = await startInterchange();
    const m = new HandManager("m-old", urls, shellEcho);
    await m.register({ protocol_version: PROTOCOL_VERSION + 1 });
    const bad = await m.waitFor(MSG.badRegistration);
    expect(bad.type === MSG.badRegistration && bad.code).toBe("E_PROTOCOL_VERSION");
    expect(bad.type === MSG.badRegistration && bad.message).toContain("protocol version mismatch");
    const r = await command(urls.client.commands, { type: "managers" });
    expect(r.ok && r.data).toEqual([]);
  }, 30_000);

  test("malformed messages on every channel are counted and answered or dropped; the interchange keeps working", async () => {
    const urls = await startInterchange();
    const raw = new Dealer({ routingId: "garbage", linger: 0 });
    closers.push(() => raw.close());
    raw.connect(urls.client.tasks);
    await raw.send(Buffer.from([0xc1, 0xff, 0x00]));
    const [reply] = await raw.receive();
    const { decodeInterchangeToClient } = await import("../../../src/protocol/index.ts");
    const e = decodeInterchangeToClient(reply!);
    expect(e.type).toBe(MSG.error);
    const t = new Dealer({ routingId: "junk-manager", linger: 0 });
    closers.push(() => t.close());
    t.connect(urls.task_url);
    await t.send(encode({ type: "register", protocol_version: "one" }));
    const c = await command(urls.client.commands, { type: "format_disk" });
    expect(c.ok).toBe(false);
    const m = new HandManager("m-2", urls, shellEcho);
    await m.register();
    await m.request(10);
    const ex = new HighThroughputExecutor(configFromObject({}));
    closers.push(() => ex.shutdown());
    await ex.connect(urls.client);
    expect((await ex.submitShell("echo still")).stdout).toBe("ran: echo still\n");
    const u = (await ex.utilization()) as unknown as { counters: { malformed: number } };
    expect(u.counters.malformed).toBeGreaterThanOrEqual(3);
  }, 30_000);

  test("a silent manager is lost after heartbeat_threshold: its tasks fail with ManagerLost; its late results are dropped and counted", async () => {
    const urls = await startInterchange();
    const m = new HandManager("m-silent", urls, shellEcho);
    m.answer = false;
    await m.register();
    await m.request(5);
    const ex = new HighThroughputExecutor(configFromObject({}));
    closers.push(() => ex.shutdown());
    await ex.connect(urls.client);
    const ps = [ex.submitShell("a"), ex.submitShell("b")];
    const tasks = await m.waitFor(MSG.tasks);
    const errs = await Promise.all(ps.map((p) => p.catch((x) => x)));
    for (const e of errs) {
      expect(e).toBeInstanceOf(RemoteError);
      expect(e.code).toBe("E_MANAGER_LOST");
      expect(e.message).toContain("m-silent");
    }
    if (tasks.type !== MSG.tasks) throw new Error("expected tasks");
    await m.result.send(encode({ type: MSG.results, results: tasks.tasks.map((t) => ({ id: t.id, value: encode(1) })) }));
    let dropped = 0;
    const end = Date.now() + 10_000;
    while (Date.now() < end && dropped < 2) {
      dropped = ((await ex.utilization()) as unknown as { counters: { resultsFromLostManagers: number } }).counters.resultsFromLostManagers;
      await Bun.sleep(20);
    }
    expect(dropped).toBe(2);
    const shut = await m.waitFor(MSG.shutdown);
    expect(shut.type === MSG.shutdown && shut.reason).toContain("lost");
  }, 30_000);

  test("cancel: a queued task rejects with TaskCancelled and never runs; the others run", async () => {
    const urls = await startInterchange();
    const ex = new HighThroughputExecutor(configFromObject({}));
    closers.push(() => ex.shutdown());
    await ex.connect(urls.client);
    const ps = ["one", "two", "three"].map((w) => ex.submitShell(`echo ${w}`));
    expect(await (async () => { for (let i = 0; i < 200 && (await ex.outstanding()).queued < 3; i++) await Bun.sleep(10); return (await ex.outstanding()).queued; })()).toBe(3);
    ex.cancel(ps[1]!);
    const e = await ps[1]!.catch((x) => x);
    expect(e).toBeInstanceOf(RemoteError);
    expect([e.code, e.remoteName]).toEqual(["E_CANCELLED", "TaskCancelled"]);
    const m = new HandManager("m-3", urls, shellEcho);
    await m.register();
    await m.request(10);
    expect((await ps[0]!).stdout).toBe("ran: echo one\n");
    expect((await ps[2]!).stdout).toBe("ran: echo three\n");
    const sent = m.inbox.flatMap((x) => (x.type === MSG.tasks ? x.tasks : []));
    expect(sent.length).toBe(2);
  }, 30_000);

  test("a manager without a routing id (libzmq gives it a generated binary one) is told why its registration is refused", async () => {
    const urls = await startInterchange();
    const anon = new Dealer({ linger: 0 });
    closers.push(() => anon.close());
    anon.connect(urls.task_url);
    await anon.send(encode({
      type: MSG.register, protocol_version: PROTOCOL_VERSION, fx_version: "test", manager_id: "m-anon", block_id: "", hostname: "h",
      os: "linux", pid: 1, cores: 1, memory_bytes: 1, worker_count: 1, worker_types: ["RAW"], worker_mode: "no_container", scheduler_mode: "hard", prefetch: 0,
    }));
    const [f] = await anon.receive();
    const m = decodeInterchangeToManager(f!);
    expect(m.type).toBe(MSG.badRegistration);
    expect(m.type === MSG.badRegistration && m.message).toContain("routing id");
  }, 30_000);
});
