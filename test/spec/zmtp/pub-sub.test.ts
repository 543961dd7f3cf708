/** RFC 29 (PUB/SUB), ours ↔ ours and ours ↔ a raw 3.0 subscriber, over 127.0.0.1. */
import { afterEach, describe, expect, test } from "bun:test";
import { Pub, Sub, ZmtpError } from "../../../src/zmtp/index.ts";
import { closeAll, RawPeer, str, track, waitFor } from "./support.ts";

afterEach(closeAll);

async function pair(...prefixes: string[]): Promise<{ pub: Pub; sub: Sub }> {
  const pub = track(new Pub());
  await pub.bind("tcp://127.0.0.1:0");
  const sub = track(new Sub());
  sub.subscribe(...prefixes);
  sub.connect(pub.lastEndpoint!);
  await waitFor(() => pub.peerCount === 1, "subscriber");
  return { pub, sub };
}

/** Publishes `probe` until the subscriber has it (subscriptions travel asynchronously). */
async function primed(pub: Pub, sub: Sub, probe: string): Promise<void> {
  let got = false;
  sub.onMessage = (m) => {
    if (m[0]!.toString() === probe) got = true;
  };
  await waitFor(() => {
    pub.trySend(probe);
    return got;
  }, "subscription to take effect");
  sub.onMessage = null;
}

/** The next message that is not a leftover probe. */
async function next(sub: Sub): Promise<string[]> {
  for (;;) {
    const m = str(await sub.receive());
    if (!m[0]!.startsWith("probe") && !(m[0] === "marker")) return m;
  }
}

describe("PUB / SUB", () => {
  test("a SUB receives only messages whose first frame starts with one of its subscriptions", async () => {
    const { pub, sub } = await pair("weather.", "probe");
    await primed(pub, sub, "probe");
    await pub.send(["sports.x", "no"]);
    await pub.send(["weather.paris", "yes"]);
    expect(await next(sub)).toEqual(["weather.paris", "yes"]);
  });

  test("an empty subscription matches everything", async () => {
    const { pub, sub } = await pair("");
    await primed(pub, sub, "probe");
    await pub.send(["anything"]);
    expect(await next(sub)).toEqual(["anything"]);
  });

  test("unsubscribe (CANCEL) stops delivery of that prefix", async () => {
    const { pub, sub } = await pair("a", "probe");
    await primed(pub, sub, "probe");
    sub.unsubscribe("a");
    sub.subscribe("marker");
    await primed(pub, sub, "marker");
    await pub.send("a-after-cancel");
    await pub.send("marker-2");
    expect(await next(sub)).toEqual(["marker-2"]);
  });

  test("a SUB tells a 3.1 publisher its subscriptions with SUBSCRIBE and CANCEL commands", async () => {
    const { endpoint, accepted } = RawPeer.listen();
    const sub = track(new Sub());
    sub.subscribe("topic");
    sub.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting(1);
    raw.sendReady("PUB");
    await waitFor(() => raw.commands("SUBSCRIBE").length === 1, "SUBSCRIBE");
    expect(raw.commands("SUBSCRIBE")[0]!.toString()).toBe("topic");
    sub.unsubscribe("topic");
    await waitFor(() => raw.commands("CANCEL").length === 1, "CANCEL");
    expect(raw.commands("CANCEL")[0]!.toString()).toBe("topic");
  });

  test("a SUB tells a 3.0 publisher its subscriptions as messages starting with 0x01", async () => {
    const { endpoint, accepted } = RawPeer.listen();
    const sub = track(new Sub());
    sub.subscribe("old");
    sub.connect(endpoint);
    const raw = await accepted;
    raw.sendGreeting(0);
    raw.sendReady("PUB");
    await waitFor(() => raw.frames.some((f) => !(f.flags & 4)), "subscription message");
    expect(raw.frames.find((f) => !(f.flags & 4))!.body.toString("latin1")).toBe("\x01old");
  });

  test("a PUB accepts 3.0-style subscriptions: a message starting with 0x01 (and 0x00 to cancel)", async () => {
    const pub = track(new Pub());
    await pub.bind("tcp://127.0.0.1:0");
    const raw = await RawPeer.connect(pub.lastEndpoint!);
    raw.sendGreeting(0);
    raw.sendReady("SUB");
    raw.sendMessage([Buffer.from("\x01news", "latin1")]);
    const count = () => raw.frames.filter((f) => !(f.flags & 4)).length;
    await waitFor(() => {
      pub.trySend("news-1");
      return count() > 0;
    }, "the 3.0 subscription");
    expect(raw.frames.some((f) => f.body.toString() === "news-1")).toBe(true);
  });

  test("a PUB accepts 3.1 SUBSCRIBE commands from a raw subscriber", async () => {
    const pub = track(new Pub());
    await pub.bind("tcp://127.0.0.1:0");
    const raw = await RawPeer.connect(pub.lastEndpoint!);
    raw.sendGreeting(1);
    raw.sendReady("SUB");
    raw.sendCommand("SUBSCRIBE", Buffer.from("cmd"));
    await waitFor(() => {
      pub.trySend("other");
      pub.trySend("cmd-1");
      return raw.frames.some((f) => f.body.toString() === "cmd-1");
    }, "the SUBSCRIBE command");
    expect(raw.frames.some((f) => f.body.toString() === "other")).toBe(false);
  });

  test("a PUB never blocks: sending with no subscribers succeeds and goes nowhere", async () => {
    const pub = track(new Pub());
    await pub.bind("tcp://127.0.0.1:0");
    for (let i = 0; i < 5000; i++) expect(pub.trySend("x")).toBe(true);
  });

  test("PUB cannot receive and SUB cannot send (E_ZMTP_UNSUPPORTED)", async () => {
    const pub = track(new Pub());
    const sub = track(new Sub());
    await expect(pub.receive()).rejects.toThrow(ZmtpError);
    expect(() => sub.trySend("x")).toThrow("cannot send");
  });
});
