/** RFC 28 (REQ/REP, DEALER/ROUTER), ours ↔ ours over 127.0.0.1. */
import { afterEach, describe, expect, test } from "bun:test";
import { Dealer, Rep, Req, Router, ZmtpError, type ZmtpEvents } from "../../../src/zmtp/index.ts";
import { closeAll, once, str, track, waitFor } from "./support.ts";

afterEach(closeAll);

async function bound<T extends Router | Rep | Dealer>(s: T): Promise<T> {
  track(s);
  await s.bind("tcp://127.0.0.1:0");
  return s;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as ZmtpError).code;
  }
  return "no error";
}

describe("DEALER", () => {
  test("routes outgoing messages round-robin across its connected peers", async () => {
    const a = await bound(new Router());
    const b = await bound(new Router());
    const d = track(new Dealer());
    d.connect(a.lastEndpoint!);
    d.connect(b.lastEndpoint!);
    await waitFor(() => d.peerCount === 2, "two peers");
    for (let i = 0; i < 10; i++) await d.send(`m${i}`);
    const got = { a: 0, b: 0 };
    a.onMessage = () => got.a++;
    b.onMessage = () => got.b++;
    await waitFor(() => got.a + got.b === 10, "all messages");
    expect(got).toEqual({ a: 5, b: 5 });
  });

  test("waits to send while it has no peer, then delivers", async () => {
    const r = track(new Router());
    const probe = track(new Router());
    await probe.bind("tcp://127.0.0.1:0");
    const ep = probe.lastEndpoint!;
    await probe.close();
    const d = track(new Dealer({ reconnectInterval: 20 }));
    d.connect(ep);
    expect(d.trySend("early")).toBe(false);
    const sent = d.send("early");
    await r.bind(ep);
    await sent;
    expect(str(await r.receive()).slice(1)).toEqual(["early"]);
  });

  test("fair-queues incoming messages from all peers, preserving each peer's order", async () => {
    const r = await bound(new Router());
    const d1 = track(new Dealer({ routingId: "one" }));
    const d2 = track(new Dealer({ routingId: "two" }));
    d1.connect(r.lastEndpoint!);
    d2.connect(r.lastEndpoint!);
    for (let i = 0; i < 50; i++) {
      await d1.send(String(i));
      await d2.send(String(i));
    }
    const seen: Record<string, number[]> = { one: [], two: [] };
    r.onMessage = (m) => seen[m[0]!.toString()]!.push(Number(m[1]!.toString()));
    await waitFor(() => seen.one!.length + seen.two!.length === 100, "100 messages");
    const upTo50 = Array.from({ length: 50 }, (_, i) => i);
    expect(seen).toEqual({ one: upTo50, two: upTo50 });
  });

  test("multipart messages keep their frames, including zero-length and long frames", async () => {
    const r = await bound(new Router());
    const d = track(new Dealer({ routingId: "mp" }));
    d.connect(r.lastEndpoint!);
    const big = Buffer.alloc(100_000, 9);
    await d.send(["a", Buffer.alloc(0), big, new Uint8Array([1, 2])]);
    const m = await r.receive();
    expect(m.length).toBe(5);
    expect(m[2]!.length).toBe(0);
    expect(m[3]!.equals(big)).toBe(true);
    expect([...m[4]!]).toEqual([1, 2]);
  });
});

describe("ROUTER", () => {
  test("prepends the peer's Identity to what it receives and routes replies by that first frame", async () => {
    const r = await bound(new Router());
    const d = track(new Dealer({ routingId: "worker-1" }));
    d.connect(r.lastEndpoint!);
    await d.send("hello");
    const m = await r.receive();
    expect(str(m)).toEqual(["worker-1", "hello"]);
    await r.send([m[0]!, "back"]);
    expect(str(await d.receive())).toEqual(["back"]);
  });

  test("gives a peer with an empty Identity a generated id: a zero byte then 4 bytes", async () => {
    const r = await bound(new Router());
    const d = track(new Dealer());
    d.connect(r.lastEndpoint!);
    await d.send("x");
    const id = (await r.receive())[0]!;
    expect(id.length).toBe(5);
    expect(id[0]).toBe(0);
    expect(r.hasPeer(id)).toBe(true);
    expect(r.routingIds()).toEqual([id]);
  });

  test("mandatory=false drops a message for an unknown routing id and counts it", async () => {
    const r = await bound(new Router());
    expect(r.trySend(["nobody", "x"])).toBe(true);
    expect(r.dropped).toBe(1);
  });

  test("mandatory=true refuses a message for an unknown routing id with E_ZMTP_UNROUTABLE", async () => {
    const r = await bound(new Router({ mandatory: true }));
    expect(codeOf(() => r.trySend(["nobody", "x"]))).toBe("E_ZMTP_UNROUTABLE");
    await expect(r.send(["nobody", "x"])).rejects.toThrow(ZmtpError);
  });

  test("handover=false refuses a second peer with an identity already connected; the first keeps working", async () => {
    const r = await bound(new Router());
    const first = track(new Dealer({ routingId: "dup" }));
    first.connect(r.lastEndpoint!);
    await first.send("1");
    await r.receive();
    const refused = once<ZmtpEvents["error"]>(r, "error");
    const second = track(new Dealer({ routingId: "dup", reconnectInterval: 1000 }));
    const secondErr = once<ZmtpEvents["error"]>(second, "error");
    second.connect(r.lastEndpoint!);
    expect((await refused).error.code).toBe("E_ZMTP_DUPLICATE_IDENTITY");
    expect((await secondErr).error.code).toBe("E_ZMTP_PEER_ERROR");
    await r.send(["dup", "still you"]);
    expect(str(await first.receive())).toEqual(["still you"]);
  });

  test("handover=true lets a new peer take over an identity; the old connection is closed", async () => {
    const r = await bound(new Router({ handover: true }));
    const first = track(new Dealer({ routingId: "mgr", reconnectInterval: 60000 }));
    first.connect(r.lastEndpoint!);
    await first.send("old");
    await r.receive();
    const gone = once<ZmtpEvents["disconnect"]>(first, "disconnect");
    const second = track(new Dealer({ routingId: "mgr" }));
    second.connect(r.lastEndpoint!);
    await second.send("new");
    expect(str(await r.receive())).toEqual(["mgr", "new"]);
    await gone;
    await r.send(["mgr", "to new"]);
    expect(str(await second.receive())).toEqual(["to new"]);
  });

  test("emits disconnect with the routing id when a peer goes away", async () => {
    const r = await bound(new Router());
    const d = new Dealer({ routingId: "leaver" });
    d.connect(r.lastEndpoint!);
    await d.send("x");
    await r.receive();
    const ev = once<ZmtpEvents["disconnect"]>(r, "disconnect");
    await d.close();
    expect((await ev).routingId!.toString()).toBe("leaver");
    expect(r.hasPeer("leaver")).toBe(false);
  });
});

describe("REQ / REP", () => {
  test("REQ prefixes each request with an empty delimiter frame", async () => {
    const r = await bound(new Router());
    const q = track(new Req({ routingId: "client" }));
    q.connect(r.lastEndpoint!);
    await q.send(["a", "b"]);
    const m = await r.receive();
    expect(str(m)).toEqual(["client", "", "a", "b"]);
    await r.send([m[0]!, "", "reply"]);
    expect(str(await q.receive())).toEqual(["reply"]);
  });

  test("REQ discards a reply that lacks the empty delimiter", async () => {
    const r = await bound(new Router());
    const q = track(new Req({ routingId: "c" }));
    q.connect(r.lastEndpoint!);
    await q.send("req");
    const m = await r.receive();
    await r.send([m[0]!, "no-delimiter"]);
    await r.send([m[0]!, "", "good"]);
    expect(str(await q.receive())).toEqual(["good"]);
    expect(q.dropped).toBe(1);
  });

  test("REQ is lock-step: a second send before the reply, or a receive before any send, is E_ZMTP_STATE", async () => {
    const rep = await bound(new Rep());
    const q = track(new Req());
    q.connect(rep.lastEndpoint!);
    await expect(q.receive()).rejects.toThrow("send a request");
    await q.send("one");
    await expect(q.send("two")).rejects.toThrow(ZmtpError);
    expect(codeOf(() => q.trySend("two"))).toBe("E_ZMTP_STATE");
  });

  test("REQ whose peer disconnects before replying may send again (to another peer)", async () => {
    const rep1 = await bound(new Rep());
    const rep2 = await bound(new Rep());
    const q = track(new Req());
    q.connect(rep1.lastEndpoint!);
    await q.send("to rep1");
    await rep1.receive();
    await rep1.close();
    await waitFor(() => q.peerCount === 0, "rep1 gone");
    q.connect(rep2.lastEndpoint!);
    await q.send("to rep2");
    expect(str(await rep2.receive())).toEqual(["to rep2"]);
    await rep2.send("from rep2");
    expect(str(await q.receive())).toEqual(["from rep2"]);
  });

  test("REP strips the envelope and sends the reply back with it to the same peer", async () => {
    const rep = await bound(new Rep());
    const d = track(new Dealer());
    d.connect(rep.lastEndpoint!);
    await d.send(["hop", "", "question"]);
    expect(str(await rep.receive())).toEqual(["question"]);
    await rep.send("answer");
    expect(str(await d.receive())).toEqual(["hop", "", "answer"]);
  });

  test("REP answers several REQ peers, each getting its own reply", async () => {
    const rep = await bound(new Rep());
    rep.onMessage = (m) => void rep.send(`re:${m[0]}`);
    const clients = [0, 1, 2].map(() => track(new Req()));
    for (const c of clients) c.connect(rep.lastEndpoint!);
    const replies = await Promise.all(clients.map(async (c, i) => {
      await c.send(`q${i}`);
      return str(await c.receive())[0];
    }));
    expect(replies).toEqual(["re:q0", "re:q1", "re:q2"]);
  });

  test("REP is lock-step: a send before any request, or a receive before replying, is E_ZMTP_STATE", async () => {
    const rep = await bound(new Rep());
    expect(codeOf(() => rep.trySend("x"))).toBe("E_ZMTP_STATE");
    const q = track(new Req());
    q.connect(rep.lastEndpoint!);
    await q.send("q");
    await rep.receive();
    expect(codeOf(() => rep.tryReceive())).toBe("E_ZMTP_STATE");
  });

  test("REP drops a request without an empty delimiter", async () => {
    const rep = await bound(new Rep());
    const d = track(new Dealer());
    d.connect(rep.lastEndpoint!);
    await d.send(["no", "delimiter"]);
    await d.send(["", "ok"]);
    expect(str(await rep.receive())).toEqual(["ok"]);
    expect(rep.dropped).toBe(1);
  });
});
