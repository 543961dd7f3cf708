/**
 * PUB/SUB against real libzmq both ways: their SUB subscribes to a prefix on our PUB and receives only
 * matching messages (in order); our SUB does the same on their PUB. tcp and ipc, either side binding.
 * Subscriptions travel asynchronously, so each test first publishes probes until one arrives.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { killAllPeers, patternBytes, Peer, PEER_KINDS, peerUnavailable, type FrameReport } from "../helpers/peers/peer.ts";
import { closeOurs, ours } from "./ours-sockets.ts";
import { bindEndpoint, enc, expectFrames, expectReport, removeIpcDirs, TRANSPORTS, txt, within } from "./support.ts";

afterEach(async () => {
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 30_000;
const big = patternBytes(1000, 9);
const topicOf = (r: FrameReport[]): string => Buffer.from(r[0]!.hex ?? "", "hex").toString();

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop PUB/SUB with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const t of TRANSPORTS) {
      for (const oursBinds of [true, false]) {
        const how = oursBinds ? "ours binds" : "theirs binds";

        test(`ours=PUB ↔ theirs=SUB (${kind}) subscribed to "weather.", ${t}, ${how}`, async () => {
          const pub = ours("PUB");
          let peer: Peer;
          if (oursBinds) {
            await pub.bind(bindEndpoint(t));
            peer = await Peer.start(kind, { type: "SUB", subscribe: ["weather."], connect: [pub.lastEndpoint!] });
          } else {
            peer = await Peer.start(kind, { type: "SUB", subscribe: ["weather."], bind: [bindEndpoint(t, "*")] });
            pub.connect(peer.endpoint);
          }
          // Probe until the subscription has reached us.
          const first = peer.recv(T);
          let arrived = false;
          void first.then(() => (arrived = true), () => (arrived = true));
          const deadline = Date.now() + T;
          while (!arrived && Date.now() < deadline) {
            await pub.send([enc("weather.probe")]);
            await Bun.sleep(20);
          }
          expect(topicOf((await first)!)).toBe("weather.probe");
          await pub.send([enc("sport.a"), enc("x")]);
          await pub.send([enc("weather.1"), big]);
          await pub.send([enc("sport.b")]);
          await pub.send([enc("weatherman")]);
          await pub.send([enc("weather.end")]);
          const seen: string[] = [];
          for (;;) {
            const r = await peer.recv(T);
            expect(r).not.toBeNull();
            const topic = topicOf(r!);
            if (topic === "weather.probe") continue;
            seen.push(topic);
            if (topic === "weather.1") expectReport(r, [enc("weather.1"), big]);
            if (topic === "weather.end") break;
          }
          expect(seen).toEqual(["weather.1", "weather.end"]);
        }, 60_000);

        test(`ours=SUB ↔ theirs=PUB (${kind}), our SUB subscribed to "weather.", ${t}, ${how}`, async () => {
          const sub = ours("SUB");
          sub.subscribe("weather.");
          let peer: Peer;
          if (oursBinds) {
            await sub.bind(bindEndpoint(t));
            peer = await Peer.start(kind, { type: "PUB", connect: [sub.lastEndpoint!] });
          } else {
            peer = await Peer.start(kind, { type: "PUB", bind: [bindEndpoint(t, "*")] });
            sub.connect(peer.endpoint);
          }
          const first = sub.receive() as Promise<Uint8Array[]>;
          let arrived = false;
          void first.then(() => (arrived = true), () => (arrived = true));
          const deadline = Date.now() + T;
          while (!arrived && Date.now() < deadline) {
            await peer.send([{ utf8: "weather.probe" }]);
            await Bun.sleep(20);
          }
          expect(txt((await within(first, T, "first probe"))[0]!)).toBe("weather.probe");
          await peer.send([{ utf8: "sport.a" }, { utf8: "x" }]);
          await peer.send([{ utf8: "weather.1" }, { size: 1000, seed: 9 }]);
          await peer.send([{ utf8: "sport.b" }]);
          await peer.send([{ utf8: "weatherman" }]);
          await peer.send([{ utf8: "weather.end" }]);
          const seen: string[] = [];
          for (;;) {
            const m = (await within(sub.receive(), T, "our SUB receive")) as Uint8Array[];
            const topic = txt(m[0]!);
            if (topic === "weather.probe") continue;
            seen.push(topic);
            if (topic === "weather.1") expectFrames(m, [enc("weather.1"), big]);
            if (topic === "weather.end") break;
          }
          expect(seen).toEqual(["weather.1", "weather.end"]);
        }, 60_000);
      }
    }
  });
}
