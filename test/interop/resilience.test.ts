/**
 * Peers that die, restart or freeze, against real libzmq: our DEALER reconnects to a restarted libzmq
 * ROUTER and carries on; our ROUTER (handover) takes back a restarted libzmq DEALER's identity;
 * heartbeats notice a libzmq peer frozen with SIGSTOP (both as our ROUTER's client and as our DEALER's
 * server), and after SIGCONT the conversation resumes. libzmq's own PINGs keep an idle link to us alive.
 */
import type { Subprocess } from "bun";
import { afterEach, describe, expect, test } from "bun:test";
import path from "node:path";
import type { Socket, ZmtpError } from "../../src/zmtp/index.ts";
import { killAllPeers, Peer, PEER_KINDS, peerUnavailable, waitFor } from "../helpers/peers/peer.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { bindEndpoint, enc, removeIpcDirs, TRANSPORTS, txt, within } from "./support.ts";

const frozen: Peer[] = [];
const children: Subprocess[] = [];
afterEach(async () => {
  for (const p of frozen.splice(0)) p.kill("SIGCONT");
  for (const c of children.splice(0)) {
    c.kill("SIGKILL");
    await c.exited;
  }
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 30_000;

/** Counts a socket's handshakes and disconnects (with their errors). */
function watch(s: Socket): { handshakes: number; disconnects: Array<ZmtpError | null> } {
  const w = { handshakes: 0, disconnects: [] as Array<ZmtpError | null> };
  s.on("handshake", () => w.handshakes++);
  s.on("disconnect", (ev) => w.disconnects.push(ev.error));
  return w;
}

const lastText = (r: { last: { hex?: string }[] | null }): string => Buffer.from(r.last!.at(-1)!.hex!, "hex").toString();

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop resilience with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const t of TRANSPORTS) {
      test(`ours=DEALER ↔ theirs=ROUTER (${kind}) restarted mid-stream, ${t}: ours reconnects and continues`, async () => {
        const first = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint(t, "*")] });
        const ep = first.endpoint;
        const s = ours("DEALER", { routingId: "restarter", reconnectInterval: 50 });
        const w = watch(s);
        s.connect(ep);
        for (let i = 0; i < 100; i++) await within(s.send([enc("seq"), enc(String(i))]), T, "send before restart");
        const r1 = await first.recvCount(100, T);
        expect(r1.count).toBe(100);
        expect(lastText(r1)).toBe("99");

        first.kill();
        await first.waitExit(T);
        await waitFor(() => w.disconnects.length === 1, T, "our DEALER to notice the dead ROUTER");
        const second = await Peer.start(kind, { type: "ROUTER", bind: [ep] });
        await waitFor(() => w.handshakes === 2, T, "our DEALER to reconnect");
        for (let i = 100; i < 200; i++) await within(s.send([enc("seq"), enc(String(i))]), T, "send after restart");
        const r2 = await second.recvCount(100, T);
        expect(r2.count).toBe(100);
        expect(lastText(r2)).toBe("199");
        await second.send([{ utf8: "restarter" }, { utf8: "welcome back" }]);
        expect(txt((await within(s.receive(), T, "reply after restart"))[0]!)).toBe("welcome back");
      }, 90_000);

      test(`ours=ROUTER (handover) ↔ theirs=DEALER (${kind}) restarted with the same identity, ${t}: ours serves the new one`, async () => {
        const router = ours("ROUTER", { handover: true, mandatory: true });
        const w = watch(router);
        await router.bind(bindEndpoint(t));
        const ep = router.lastEndpoint!;
        const first = await Peer.start(kind, { type: "DEALER", routingId: "mgr", connect: [ep] });
        await first.sendSeq(50, 0, [{ utf8: "seq" }]);
        for (let i = 0; i < 50; i++) {
          const [id, , n] = await within(router.receive(), T, "message from the first dealer");
          expect(txt(id!)).toBe("mgr");
          expect(txt(n!)).toBe(String(i));
        }
        first.kill();
        await first.waitExit(T);
        const second = await Peer.start(kind, { type: "DEALER", routingId: "mgr", connect: [ep] });
        await second.sendSeq(50, 50, [{ utf8: "seq" }]);
        for (let i = 50; i < 100; i++) {
          const [id, , n] = await within(router.receive(), T, "message from the restarted dealer");
          expect(txt(id!)).toBe("mgr");
          expect(txt(n!)).toBe(String(i));
        }
        expect(w.handshakes).toBe(2);
        await router.send(["mgr", "still there?"]);
        const back = await second.recv(T);
        expect(Buffer.from(back![0]!.hex!, "hex").toString()).toBe("still there?");
      }, 90_000);
    }

    test(`ours=REP ↔ theirs=REQ (${kind}) killed before its reply: ours drops the reply and serves the next REQ`, async () => {
      const rep = ours("REP");
      const w = watch(rep);
      await rep.bind(bindEndpoint("tcp"));
      const first = await Peer.start(kind, { type: "REQ", connect: [rep.lastEndpoint!] });
      await first.send([{ utf8: "question 1" }]);
      expect(txt((await within(rep.receive(), T, "first request"))[0]!)).toBe("question 1");
      first.kill();
      await first.waitExit(T);
      await waitFor(() => w.disconnects.length === 1, T, "our REP to notice the dead REQ");
      await within(rep.send(["answer nobody hears"]), T, "reply to the dead peer");
      const second = await Peer.start(kind, { type: "REQ", connect: [rep.lastEndpoint!] });
      await second.send([{ utf8: "question 2" }]);
      expect(txt((await within(rep.receive(), T, "second request"))[0]!)).toBe("question 2");
      await within(rep.send(["answer 2"]), T, "reply to the live peer");
      expect(Buffer.from((await second.recv(T))![0]!.hex!, "hex").toString()).toBe("answer 2");
    }, 60_000);

    test(`ours=REQ ↔ theirs=REP (${kind}) killed before replying and restarted: ours may ask again and gets the answer`, async () => {
      const first = await Peer.start(kind, { type: "REP", bind: [bindEndpoint("tcp", "*")] });
      const ep = first.endpoint;
      const req = ours("REQ", { reconnectInterval: 50 });
      const w = watch(req);
      req.connect(ep);
      await within(req.send(["question"]), T, "first request");
      expect(Buffer.from((await first.recv(T))![0]!.hex!, "hex").toString()).toBe("question");
      first.kill();
      await first.waitExit(T);
      await waitFor(() => w.disconnects.length === 1, T, "our REQ to notice the dead REP");
      const second = await Peer.start(kind, { type: "REP", bind: [ep] });
      await waitFor(() => w.handshakes === 2, T, "our REQ to reconnect");
      await within(req.send(["question again"]), T, "request after the REP came back");
      expect(Buffer.from((await second.recv(T))![0]!.hex!, "hex").toString()).toBe("question again");
      await second.send([{ utf8: "answer" }]);
      expect(txt((await within(req.receive(), T, "the answer"))[0]!)).toBe("answer");
    }, 60_000);

    test(`ours=ROUTER with heartbeats ↔ theirs=DEALER (${kind}) frozen by SIGSTOP: ours drops it, and takes it back after SIGCONT`, async () => {
      const router = ours("ROUTER", { heartbeatInterval: 100, heartbeatTimeout: 600 });
      const w = watch(router);
      await router.bind(bindEndpoint("tcp"));
      const peer = await Peer.start(kind, { type: "DEALER", routingId: "sleepy", connect: [router.lastEndpoint!], heartbeat: { interval: 100, timeout: 600, ttl: 2000 } });
      await peer.send([{ utf8: "awake" }]);
      const [id, m] = await within(router.receive(), T, "first message");
      expect(txt(id!)).toBe("sleepy");
      expect(txt(m!)).toBe("awake");

      frozen.push(peer);
      process.kill(peer.pid, "SIGSTOP");
      await waitFor(() => w.disconnects.length === 1, T, "our heartbeat to notice the frozen peer");
      expect(w.disconnects[0]?.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");
      expect(router.hasPeer("sleepy")).toBe(false);

      process.kill(peer.pid, "SIGCONT");
      // libzmq sees our close when it wakes up and reconnects by itself.
      await waitFor(() => router.hasPeer("sleepy"), T, "the thawed peer to reconnect");
      await peer.send([{ utf8: "awake again" }]);
      const [id2, m2] = await within(router.receive(), T, "message after thaw");
      expect(txt(id2!)).toBe("sleepy");
      expect(txt(m2!)).toBe("awake again");
    }, 90_000);

    test(`ours=ROUTER without heartbeats ↔ theirs=DEALER (${kind}) announcing a PING TTL, frozen by SIGSTOP: ours drops it after the TTL`, async () => {
      const router = ours("ROUTER");
      const w = watch(router);
      await router.bind(bindEndpoint("tcp"));
      const peer = await Peer.start(kind, { type: "DEALER", routingId: "ttl", connect: [router.lastEndpoint!], heartbeat: { interval: 100, timeout: 5000, ttl: 1000 } });
      await peer.send([{ utf8: "hi" }]);
      await within(router.receive(), T, "first message");
      // Let PINGs carrying the TTL arrive (libzmq sends one every 100 ms; ~10 in this spell), then freeze the peer.
      await Bun.sleep(1000);
      frozen.push(peer);
      process.kill(peer.pid, "SIGSTOP");
      await waitFor(() => w.disconnects.length === 1, T, "our ROUTER to honour the peer's TTL");
      expect(w.disconnects[0]?.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");
      expect(router.hasPeer("ttl")).toBe(false);
    }, 60_000);

    test(`ours=DEALER with heartbeats ↔ theirs=ROUTER (${kind}) frozen by SIGSTOP: ours notices and reconnects after SIGCONT`, async () => {
      const peer = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
      // No fixed routing id: a libzmq ROUTER that has not yet seen the old connection close would
      // silently ignore a newcomer with the same identity (libzmq keeps it as an "anonymous" pipe).
      const s = ours("DEALER", { heartbeatInterval: 100, heartbeatTimeout: 600, reconnectInterval: 50 });
      const w = watch(s);
      s.connect(peer.endpoint);
      await within(s.send(["before"]), T, "send");
      expect((await peer.recv(T))![1]!.hex).toBe(Buffer.from("before").toString("hex"));

      frozen.push(peer);
      process.kill(peer.pid, "SIGSTOP");
      await waitFor(() => w.disconnects.length >= 1, T, "our heartbeat to notice the frozen ROUTER");
      expect(w.disconnects[0]?.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");

      process.kill(peer.pid, "SIGCONT");
      await waitFor(() => w.handshakes >= 2, T, "our DEALER to reconnect after the thaw");
      // A message sent just as the old connection dies can be lost: probe until one arrives.
      const deadline = Date.now() + T;
      let arrived = false;
      for (let i = 0; !arrived && Date.now() < deadline; i++) {
        await within(s.send(["after", String(i)]), T, "send after thaw");
        const r = await peer.recv(500);
        arrived = r !== null && Buffer.from(r[1]!.hex!, "hex").toString() === "after";
      }
      expect(arrived).toBe(true);
    }, 90_000);

    test(`theirs=ROUTER (${kind}) ↔ ours=DEALER in its own process announcing a 1 s PING TTL, frozen by SIGSTOP: libzmq drops it`, async () => {
      const peer = await Peer.start(kind, { type: "ROUTER", monitor: true, bind: [bindEndpoint("tcp", "*")] });
      const opts = { routingId: "frozen-ours", heartbeatInterval: 100, heartbeatTimeout: 5000, heartbeatTimeToLive: 1000 };
      const child = Bun.spawn([process.execPath, path.join(import.meta.dir, "../helpers/peers/ours-peer.ts"), peer.endpoint, JSON.stringify(opts), "hello"], {
        stdout: "pipe",
        stderr: "inherit",
      });
      children.push(child);
      const got = await peer.recv(T);
      expect(Buffer.from(got![1]!.hex!, "hex").toString()).toBe("hello");
      expect(await peer.disconnects()).toBe(0);
      // Let our PINGs (every 100 ms, TTL 1 s) reach libzmq, then freeze our process.
      await Bun.sleep(500);
      process.kill(child.pid, "SIGSTOP");
      // Without the TTL libzmq would wait for ever: it has no heartbeats of its own here.
      await waitFor(async () => (await peer.disconnects()) >= 1, T, "libzmq to drop our frozen DEALER after its TTL");
    }, 60_000);

    test(`ours=ROUTER ↔ theirs=DEALER (${kind}) with libzmq heartbeats: ours answers its PINGs and the idle link stays up`, async () => {
      const router = ours("ROUTER");
      const w = watch(router);
      await router.bind(bindEndpoint("tcp"));
      const peer = await Peer.start(kind, { type: "DEALER", routingId: "pinger", connect: [router.lastEndpoint!], heartbeat: { interval: 100, timeout: 1000, ttl: 3000 } });
      await peer.send([{ utf8: "one" }]);
      await within(router.receive(), T, "first message");
      // Idle for 30 heartbeat periods, 3× libzmq's timeout (a deliberate quiet spell, not a timing assertion):
      // had we not answered its PINGs, libzmq would have dropped the link.
      await Bun.sleep(3000);
      await peer.send([{ utf8: "two" }]);
      const [id, m] = await within(router.receive(), T, "message after the quiet spell");
      expect(txt(id!)).toBe("pinger");
      expect(txt(m!)).toBe("two");
      expect(w.disconnects).toEqual([]);
      expect(w.handshakes).toBe(1);
    }, 60_000);
  });
}
