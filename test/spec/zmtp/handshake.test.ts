/** RFC 23 / RFC 37: greeting, NULL handshake, metadata and refusals, ours ↔ a raw byte-level peer over 127.0.0.1. */
import { afterEach, describe, expect, test } from "bun:test";
import { Dealer, Pub, Router, type ZmtpError, type ZmtpEvents } from "../../../src/zmtp/index.ts";
import { closeAll, once, RawPeer, str, track, waitFor } from "./support.ts";

afterEach(closeAll);

async function boundRouter(opts = {}): Promise<Router> {
  const r = track(new Router(opts));
  await r.bind("tcp://127.0.0.1:0");
  return r;
}

describe("RFC 23/37 greeting and NULL handshake", () => {
  test("a peer sends its own greeting without waiting for the other's (signature 0xFF…0x7F, version 3.1, NULL)", async () => {
    const r = await boundRouter();
    const raw = await RawPeer.connect(r.lastEndpoint!);
    await waitFor(() => raw.greeting !== null, "our greeting");
    const g = raw.greeting!;
    expect(g[0]).toBe(0xff);
    expect(g[9]! & 1).toBe(1);
    expect([g[10], g[11]]).toEqual([3, 1]);
    expect(g.toString("latin1", 12, 16)).toBe("NULL");
  });

  test("the greeting may arrive byte by byte with non-zero padding, and a 3.0 peer is accepted", async () => {
    const r = await boundRouter();
    const raw = await RawPeer.connect(r.lastEndpoint!);
    const g = Buffer.alloc(64);
    g[0] = 0xff;
    g.fill(0x05, 1, 9);
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 0;
    g.write("NULL", 12);
    for (const b of g) {
      raw.write(Buffer.from([b]));
      await Bun.sleep(0);
    }
    raw.sendReady("DEALER", "p1");
    raw.sendMessage(["hi"]);
    expect(str(await r.receive())).toEqual(["p1", "hi"]);
  });

  test("metadata property names are case-insensitive", async () => {
    const r = await boundRouter();
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    raw.sendReady("DEALER", "lower", { type: "socket-type", id: "IDENTITY" });
    raw.sendMessage(["x"]);
    expect(str(await r.receive())).toEqual(["lower", "x"]);
  });

  test("our READY names our socket type and carries an Identity property (empty when unset)", async () => {
    const r = await boundRouter();
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    await waitFor(() => raw.commands("READY").length === 1, "READY");
    const ready = raw.commands("READY")[0]!.toString("latin1");
    expect(ready).toContain("Socket-Type\x00\x00\x00\x06ROUTER");
    expect(ready).toContain("Identity\x00\x00\x00\x00");
  });

  test("an incompatible socket type is refused with an ERROR command and the connection closes", async () => {
    const pub = track(new Pub());
    await pub.bind("tcp://127.0.0.1:0");
    const pubErr = once<ZmtpEvents["error"]>(pub, "error");
    const raw = await RawPeer.connect(pub.lastEndpoint!);
    raw.sendGreeting();
    raw.sendReady("DEALER", "");
    expect((await pubErr).error.code).toBe("E_ZMTP_SOCKET_TYPE");
    await waitFor(() => raw.commands("ERROR").length === 1 && raw.closed, "ERROR and close");
  });

  test("both sides check socket types: a DEALER meeting a PUB reports E_ZMTP_SOCKET_TYPE and retries later", async () => {
    const pub = track(new Pub());
    await pub.bind("tcp://127.0.0.1:0");
    const d = track(new Dealer({ reconnectInterval: 50 }));
    const err = once<ZmtpEvents["error"]>(d, "error");
    d.connect(pub.lastEndpoint!);
    expect((await err).error.code).toBe("E_ZMTP_SOCKET_TYPE");
    await once(d, "connect:retry");
    expect(d.peerCount).toBe(0);
  });

  test("an ERROR command from the peer closes the connection with E_ZMTP_PEER_ERROR carrying its reason", async () => {
    const r = await boundRouter();
    const err = once<ZmtpEvents["error"]>(r, "error");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    raw.sendCommand("ERROR", Buffer.from("\x07go away", "latin1"));
    const e = (await err).error;
    expect(e.code).toBe("E_ZMTP_PEER_ERROR");
    expect(e.message).toContain("go away");
  });

  test("a security mechanism other than NULL is refused with an ERROR command (E_ZMTP_MECHANISM)", async () => {
    const r = await boundRouter();
    const err = once<ZmtpEvents["error"]>(r, "error");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    const g = Buffer.alloc(64);
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 1;
    g.write("CURVE", 12);
    raw.write(g);
    expect((await err).error.code).toBe("E_ZMTP_MECHANISM");
    await waitFor(() => raw.commands("ERROR").length === 1, "an ERROR command to the peer");
  });
});

describe("bad peers close only their own connection", () => {
  async function expectError(r: Router, act: (raw: RawPeer) => void, code: string): Promise<void> {
    const err = once<ZmtpEvents["error"]>(r, "error");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    act(raw);
    expect((await err).error.code as string).toBe(code);
    await waitFor(() => raw.closed, "the bad peer's connection to close");
  }

  test("garbage instead of a greeting → E_ZMTP_SIGNATURE, a good peer on the same socket is undisturbed", async () => {
    const r = await boundRouter();
    const good = track(new Dealer({ routingId: "good" }));
    good.connect(r.lastEndpoint!);
    await good.send("before");
    expect(str(await r.receive())).toEqual(["good", "before"]);
    await expectError(r, (raw) => raw.write(Buffer.from("GET / HTTP/1.1\r\n\r\n")), "E_ZMTP_SIGNATURE");
    await good.send("after");
    expect(str(await r.receive())).toEqual(["good", "after"]);
  });

  test("a ZMTP 2 peer → E_ZMTP_VERSION", async () => {
    const r = await boundRouter();
    await expectError(r, (raw) => raw.write(Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 5])), "E_ZMTP_VERSION");
  });

  test("a frame above maxMessageSize → E_ZMTP_TOO_LARGE before it is buffered", async () => {
    const r = await boundRouter({ maxMessageSize: 1000 });
    await expectError(
      r,
      (raw) => {
        raw.sendGreeting();
        raw.sendReady("DEALER", "");
        // header of a 1 TiB frame, no body
        raw.write(Buffer.from([0x02, 0, 0, 0x01, 0, 0, 0, 0, 0]));
      },
      "E_ZMTP_TOO_LARGE",
    );
  });

  test("a message whose frames together exceed maxMessageSize → E_ZMTP_TOO_LARGE", async () => {
    const r = await boundRouter({ maxMessageSize: 1000 });
    await expectError(
      r,
      (raw) => {
        raw.sendGreeting();
        raw.sendReady("DEALER", "");
        raw.sendMessage([Buffer.alloc(600), Buffer.alloc(600)]);
      },
      "E_ZMTP_TOO_LARGE",
    );
  });

  test("a stream cut in the middle of a frame → E_ZMTP_TRUNCATED", async () => {
    const r = await boundRouter();
    const err = once<ZmtpEvents["error"]>(r, "error");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.sendGreeting();
    raw.sendReady("DEALER", "");
    raw.write(Buffer.from([0x00, 10, 1, 2, 3]));
    await Bun.sleep(20);
    raw.close();
    expect((await err).error.code).toBe("E_ZMTP_TRUNCATED");
  });

  test("a handshake that never finishes → E_ZMTP_HANDSHAKE_TIMEOUT", async () => {
    const r = await boundRouter({ handshakeTimeout: 200 });
    await expectError(r, (raw) => raw.sendGreeting(), "E_ZMTP_HANDSHAKE_TIMEOUT");
  });

  test("a message before READY → E_ZMTP_HANDSHAKE", async () => {
    const r = await boundRouter();
    await expectError(
      r,
      (raw) => {
        raw.sendGreeting();
        raw.sendMessage(["too early"]);
      },
      "E_ZMTP_HANDSHAKE",
    );
  });

  test("errors are ZmtpErrors with a message naming the problem", async () => {
    const r = await boundRouter();
    const err = once<ZmtpEvents["error"]>(r, "error");
    const raw = await RawPeer.connect(r.lastEndpoint!);
    raw.write(Buffer.from("hello"));
    const e: ZmtpError = (await err).error;
    expect(e.name).toBe("ZmtpError");
    expect(e.message).toContain("signature");
  });
});
