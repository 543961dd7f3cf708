/** Endpoints: tcp port 0, port ranges, ipc paths, bind errors. Only 127.0.0.1 and temp dirs. */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bindInRange, Dealer, Pair, Pull, Push, Router, ZmtpError } from "../../../src/zmtp/index.ts";
import { closeAll, str, track, waitFor } from "./support.ts";

afterEach(closeAll);

function portOf(ep: string): number {
  return Number(ep.slice(ep.lastIndexOf(":") + 1));
}

describe("endpoints", () => {
  test("binding port 0 reports the real port in lastEndpoint", async () => {
    const r = track(new Router());
    await r.bind("tcp://127.0.0.1:0");
    expect(r.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(portOf(r.lastEndpoint!)).toBeGreaterThan(0);
  });

  test("a port range binds a free port inside it; a full range fails with E_ZMTP_BIND", async () => {
    const probe = track(new Router());
    await probe.bind("tcp://127.0.0.1:0");
    const base = portOf(probe.lastEndpoint!);
    await probe.close();
    // pick a 2-port window around a port the kernel just gave us (likely free)
    const lo = base;
    const hi = base + 1;
    const a = track(new Router());
    const b = track(new Router());
    let bound: string[];
    try {
      bound = [await bindInRange(a, "127.0.0.1", lo, hi), await bindInRange(b, "127.0.0.1", lo, hi)];
    } catch (e) {
      // another process took one of the two ports meanwhile: the range logic still reported it properly
      expect((e as ZmtpError).code).toBe("E_ZMTP_BIND");
      return;
    }
    const ports = bound.map(portOf).sort();
    expect(ports).toEqual([lo, hi]);
    const c = track(new Router());
    let code = "";
    try {
      await c.bind(`tcp://127.0.0.1:${lo}-${hi}`);
    } catch (e) {
      code = (e as ZmtpError).code;
    }
    expect(code).toBe("E_ZMTP_BIND");
  });

  test("binding an address in use fails with E_ZMTP_BIND naming the endpoint", async () => {
    const a = track(new Router());
    await a.bind("tcp://127.0.0.1:0");
    const b = track(new Router());
    await expect(b.bind(a.lastEndpoint!)).rejects.toThrow(a.lastEndpoint!);
  });

  test("ipc:// endpoints carry messages over a Unix socket, and a stale socket file is replaced", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fx-zmtp-"));
    const ep = `ipc://${path.join(dir, "s.sock")}`;
    try {
      const first = new Router();
      await first.bind(ep);
      await first.close();
      const r = track(new Router());
      await r.bind(ep);
      const d = track(new Dealer({ routingId: "ipc" }));
      d.connect(ep);
      await d.send("over ipc");
      expect(str(await r.receive())).toEqual(["ipc", "over ipc"]);
    } finally {
      await closeAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("connecting to a port range or a bad endpoint is refused with E_ZMTP_ENDPOINT", () => {
    const d = track(new Dealer());
    expect(() => d.connect("tcp://127.0.0.1:5000-5001")).toThrow(ZmtpError);
    expect(() => d.connect("carrier-pigeon://x")).toThrow("bad endpoint");
  });
});

describe("PAIR and PUSH/PULL", () => {
  test("PUSH round-robins to PULL peers; PULL receives", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:0");
    const push = track(new Push());
    push.connect(pull.lastEndpoint!);
    await push.send(["job", "1"]);
    expect(str(await pull.receive())).toEqual(["job", "1"]);
    expect(() => pull.trySend("x")).toThrow("cannot send");
  });

  test("PAIR talks to exactly one PAIR peer", async () => {
    const a = track(new Pair());
    await a.bind("tcp://127.0.0.1:0");
    const b = track(new Pair());
    b.connect(a.lastEndpoint!);
    await b.send("hi");
    expect(str(await a.receive())).toEqual(["hi"]);
    await a.send("hello");
    expect(str(await b.receive())).toEqual(["hello"]);
    const c = track(new Pair({ reconnectInterval: 60000 }));
    const refused = new Promise((r) => a.on("error", r));
    c.connect(a.lastEndpoint!);
    await refused;
    await waitFor(() => a.peerCount === 1, "still one peer");
  });
});
