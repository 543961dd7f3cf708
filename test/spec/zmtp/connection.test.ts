/** Connection management: heartbeats (RFC 37), reconnect, back-pressure, linger, events. Ours ↔ ours or raw, on 127.0.0.1. */
import { afterEach, describe, expect, test } from "bun:test";
import { encodePing } from "../../../src/zmtp/command.ts";
import { FLAG_COMMAND } from "../../../src/zmtp/decoder.ts";
import { Dealer, Router, type ZmtpEvents } from "../../../src/zmtp/index.ts";
import { closeAll, frameBytes, once, RawPeer, str, track, waitFor } from "./support.ts";

afterEach(closeAll);

async function freeEndpoint(): Promise<string> {
  const probe = new Router();
  await probe.bind("tcp://127.0.0.1:0");
  const ep = probe.lastEndpoint!;
  await probe.close();
  return ep;
}

describe("heartbeats (RFC 37)", () => {
  test("a PING is answered with a PONG echoing the PING's context", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    raw.sendReady("DEALER", "");
    raw.write(frameBytes(encodePing(0, Buffer.from("ctx-42")), FLAG_COMMAND));
    await waitFor(() => raw.commands("PONG").length === 1, "PONG");
    expect(raw.commands("PONG")[0]!.toString()).toBe("ctx-42");
  });

  test("with heartbeatInterval set, a socket PINGs its peer and announces its TTL", async () => {
    const { endpoint, accepted } = RawPeer.listen();
    const d = track(new Dealer({ heartbeatInterval: 50, heartbeatTimeout: 10000, heartbeatTimeToLive: 3000 }));
    d.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting();
    raw.sendReady("ROUTER");
    await waitFor(() => raw.commands("PING").length >= 2, "two PINGs");
    expect(raw.commands("PING")[0]!.readUInt16BE(0)).toBe(30); // deciseconds
  });

  test("PINGs go only to ZMTP 3.1 peers (3.0 has no PING command)", async () => {
    const r = track(new Router({ heartbeatInterval: 20, heartbeatTimeout: 60000 }));
    await r.bind("tcp://127.0.0.1:0");
    const v31 = await RawPeer.connect(r.lastEndpoint!);
    v31.sendGreeting(1);
    v31.sendReady("DEALER", "");
    const v30 = await RawPeer.connect(r.lastEndpoint!);
    v30.sendGreeting(0);
    v30.sendReady("DEALER", "");
    await waitFor(() => r.peerCount === 2, "both handshakes");
    await waitFor(() => v31.commands("PING").length >= 5, "five PINGs to the 3.1 peer");
    expect(v30.commands("PING").length).toBe(0);
  });

  test("a peer that stops answering is dropped after heartbeatTimeout (E_ZMTP_HEARTBEAT_TIMEOUT)", async () => {
    const { endpoint, accepted } = RawPeer.listen();
    const d = track(new Dealer({ heartbeatInterval: 50, heartbeatTimeout: 200, reconnectInterval: 60000 }));
    const lost = once<ZmtpEvents["disconnect"]>(d, "disconnect");
    d.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting();
    raw.sendReady("ROUTER"); // then silence: no PONG, nothing
    expect((await lost).error?.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");
  });

  test("a peer silent for longer than the TTL in its PING is dropped", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    const lost = once<ZmtpEvents["disconnect"]>(r, "disconnect");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    raw.sendReady("DEALER", "ttl");
    raw.write(frameBytes(encodePing(300, Buffer.alloc(0)), FLAG_COMMAND));
    const ev = await lost;
    expect(ev.error?.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");
    expect(ev.routingId!.toString()).toBe("ttl");
  });

  test("two of our sockets with heartbeats on stay connected while idle", async () => {
    const r = track(new Router({ heartbeatInterval: 30, heartbeatTimeout: 5000 }));
    await r.bind("tcp://127.0.0.1:0");
    const d = track(new Dealer({ routingId: "hb", heartbeatInterval: 30, heartbeatTimeout: 5000, heartbeatTimeToLive: 5000 }));
    let lost = 0;
    r.on("disconnect", () => lost++);
    d.connect(r.lastEndpoint!);
    await waitFor(() => r.peerCount === 1, "handshake");
    await Bun.sleep(300);
    await d.send("alive");
    expect(str(await r.receive())).toEqual(["hb", "alive"]);
    expect(lost).toBe(0);
  });
});

describe("reconnect", () => {
  test("a connect before the peer binds keeps retrying until it is up", async () => {
    const ep = await freeEndpoint();
    const d = track(new Dealer({ routingId: "early", reconnectInterval: 20, reconnectMaxInterval: 200 }));
    const retry = once<ZmtpEvents["connect:retry"]>(d, "connect:retry");
    d.connect(ep);
    expect((await retry).interval).toBe(20);
    const r = track(new Router());
    await r.bind(ep);
    await d.send("made it");
    expect(str(await r.receive())).toEqual(["early", "made it"]);
  });

  test("retry intervals double up to reconnectMaxInterval", async () => {
    const ep = await freeEndpoint();
    const d = track(new Dealer({ reconnectInterval: 10, reconnectMaxInterval: 40 }));
    const seen: number[] = [];
    d.on("connect:retry", (e) => seen.push(e.interval));
    d.connect(ep);
    await waitFor(() => seen.length >= 5, "five retries");
    expect(seen.slice(0, 5)).toEqual([10, 20, 40, 40, 40]);
  });

  test("when the peer dies and comes back on the same endpoint, the socket reconnects", async () => {
    const r1 = track(new Router());
    await r1.bind("tcp://127.0.0.1:0");
    const ep = r1.lastEndpoint!;
    const d = track(new Dealer({ routingId: "phoenix", reconnectInterval: 20 }));
    d.connect(ep);
    await d.send("1");
    await r1.receive();
    const lost = once(d, "disconnect");
    await r1.close();
    await lost;
    const r2 = track(new Router());
    await r2.bind(ep);
    await d.send("2");
    expect(str(await r2.receive())).toEqual(["phoenix", "2"]);
  });
});

describe("back-pressure and linger", () => {
  test("send waits at the high-water mark while the peer does not read, and memory stays bounded", async () => {
    const { endpoint, accepted } = RawPeer.listen(false);
    const d = track(new Dealer({ sendHighWaterMark: 4 }));
    d.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting();
    raw.sendReady("ROUTER");
    await waitFor(() => d.peerCount === 1, "handshake");
    raw.pause();
    const big = Buffer.alloc(1 << 20);
    let queued = 0;
    // the kernel buffers some megabytes; past those, at most 4 messages wait in user space
    while (queued < 500) {
      if (!d.trySend(big)) break;
      queued++;
      if (queued % 4 === 0) await Bun.sleep(1);
    }
    expect(queued).toBeLessThan(500);
    const pending = d.send(big);
    let done = false;
    void pending.then(() => (done = true));
    await Bun.sleep(50);
    expect(done).toBe(false);
    raw.resume();
    await pending;
    expect(done).toBe(true);
  });

  test("a receiver at its receiveHighWaterMark stops reading, so the sender's send waits (back-pressure through TCP)", async () => {
    const r = track(new Router({ receiveHighWaterMark: 4 }));
    await r.bind("tcp://127.0.0.1:0");
    const d = track(new Dealer({ sendHighWaterMark: 4 }));
    d.connect(r.lastEndpoint!);
    await waitFor(() => d.peerCount === 1, "handshake");
    const m = Buffer.alloc(256 * 1024);
    let sent = 0;
    while (sent < 2000) {
      if (!d.trySend(m)) {
        const ok = await Promise.race([d.writable().then(() => true), Bun.sleep(500).then(() => false)]);
        if (!ok) break; // nobody drained for a while: back-pressure reached the sender
        continue;
      }
      sent++;
    }
    expect(sent).toBeLessThan(2000);
    let got = 0;
    r.onMessage = () => got++;
    await d.send(m);
    await waitFor(() => got === sent + 1, "everything once the receiver reads");
  });

  test("sends waiting at the high-water mark keep their order", async () => {
    const { endpoint, accepted } = RawPeer.listen();
    const d = track(new Dealer({ sendHighWaterMark: 1 }));
    d.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting();
    raw.sendReady("ROUTER");
    await waitFor(() => d.peerCount === 1, "handshake");
    const sends = Array.from({ length: 20 }, (_, i) => d.send(String(i)));
    await Promise.all(sends);
    await waitFor(() => raw.frames.filter((f) => !(f.flags & 4)).length === 20, "20 messages");
    expect(raw.frames.filter((f) => !(f.flags & 4)).map((f) => f.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  test("linger: messages queued before close() are still delivered", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    const d = new Dealer({ routingId: "l", linger: 10000 });
    d.connect(r.lastEndpoint!);
    await waitFor(() => d.peerCount === 1, "handshake");
    for (let i = 0; i < 2000; i++) d.trySend(Buffer.alloc(1000)) || (await d.send(Buffer.alloc(1000)));
    await d.close();
    let n = 0;
    r.onMessage = () => n++;
    await waitFor(() => n === 2000, "all 2000 messages");
  });

  test("sendTimeout: send rejects with E_ZMTP_SEND_TIMEOUT when no peer takes the message in time", async () => {
    const d = track(new Dealer({ sendTimeout: 50 }));
    d.connect(await freeEndpoint());
    await expect(d.send("x")).rejects.toThrow("within 50 ms");
  });
});

describe("lifecycle and events", () => {
  test("close() is idempotent and returns the same promise; afterwards receive rejects with E_ZMTP_CLOSED", async () => {
    const d = new Dealer();
    const a = d.close();
    expect(d.close()).toBe(a);
    await a;
    await expect(d.receive()).rejects.toThrow("closed");
    expect(() => d.trySend("x")).toThrow("closed");
  });

  test("a pending receive is rejected and an async iteration ends when the socket closes", async () => {
    const d = new Dealer();
    const pending = d.receive();
    const iter = (async () => {
      let n = 0;
      for await (const _ of d) n++;
      return n;
    })();
    await d.close();
    await expect(pending).rejects.toThrow("closed");
    expect(await iter).toBe(0);
  });

  test("events: accept and handshake on the binder, connect and handshake on the connecter, disconnect on loss", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    const seen: string[] = [];
    r.on("accept", () => seen.push("r:accept"));
    r.on("handshake", (e) => seen.push(`r:handshake:${e.routingId}:${e.peerType}`));
    r.on("disconnect", (e) => seen.push(`r:disconnect:${e.routingId}`));
    const d = new Dealer({ routingId: "ev" });
    d.on("connect", (e) => seen.push(`d:connect:${e.endpoint === r.lastEndpoint}`));
    d.on("handshake", (e) => seen.push(`d:handshake:${e.peerType}`));
    d.connect(r.lastEndpoint!);
    await waitFor(() => seen.length === 4, "four events");
    await d.close();
    await waitFor(() => seen.includes("r:disconnect:ev"), "disconnect");
    expect(seen).toContain("r:accept");
    expect(seen).toContain("r:handshake:ev:DEALER");
    expect(seen).toContain("d:connect:true");
    expect(seen).toContain("d:handshake:ROUTER");
  });

  test("callback mode: onMessage receives every message, including those queued before it was set", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    const d = track(new Dealer());
    d.connect(r.lastEndpoint!);
    for (let i = 0; i < 10; i++) await d.send(String(i));
    await waitFor(() => r.tryReceive() !== null, "first message");
    const got: string[] = [];
    r.onMessage = (m) => got.push(m[1]!.toString());
    await waitFor(() => got.length === 9, "the other nine");
    expect(got).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });
});
