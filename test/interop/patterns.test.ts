/**
 * Ours ↔ real libzmq (pyzmq and zeromq.js peers), for every request/reply pairing, over tcp and ipc,
 * with our side binding and with theirs binding. Multipart messages cross intact in both directions.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { killAllPeers, patternBytes, Peer, PEER_KINDS, peerUnavailable, waitFor, type FrameSpec } from "../helpers/peers/peer.ts";
import type { Socket } from "../../src/zmtp/index.ts";
import { closeOurs, ours, type OurType } from "./ours-sockets.ts";
import { bindEndpoint, enc, expectFrames, expectReport, removeIpcDirs, TRANSPORTS, txt, within, type Transport } from "./support.ts";

afterEach(async () => {
  await closeOurs();
  await killAllPeers();
  removeIpcDirs();
});

const T = 30_000;
const body: Uint8Array[] = [enc("hello"), patternBytes(300, 1), enc("end")];
const bodySpec: FrameSpec[] = [{ utf8: "hello" }, { size: 300, seed: 1 }, { utf8: "end" }];
const EMPTY = new Uint8Array(0);

type TheirType = "DEALER" | "ROUTER" | "REQ" | "REP";
interface Pairing {
  ours: OurType;
  theirs: TheirType;
  /** Our side starts the exchange (their side echoes). */
  oursAsks: boolean;
  run(s: Socket, peer: Peer): Promise<void>;
}

/** Our client sends `msg` to their echoing server and expects `reply` back, `rounds` times in lock-step. */
async function askEcho(s: Socket, msg: Uint8Array[], reply: Uint8Array[], rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await within(s.send(msg), T, "our send");
    expectFrames(await within(s.receive(), T, "our receive of the echo"), reply);
  }
}

const pairings: Pairing[] = [
  {
    ours: "DEALER",
    theirs: "ROUTER",
    oursAsks: true,
    async run(s) {
      await askEcho(s, body, body, 3);
      // Pipelined: 200 messages out before reading any reply; order is kept.
      for (let i = 0; i < 200; i++) await within(s.send([enc(`m${i}`)]), T, "our send");
      for (let i = 0; i < 200; i++) expect(txt((await within(s.receive(), T, "our receive"))[0]!)).toBe(`m${i}`);
    },
  },
  {
    ours: "ROUTER",
    theirs: "DEALER",
    oursAsks: false,
    async run(s, peer) {
      for (let i = 0; i < 3; i++) {
        await peer.send(bodySpec);
        const [id, ...rest] = await within(s.receive(), T, "our receive") as Uint8Array[];
        expect(txt(id!)).toBe("their-id");
        expectFrames(rest, body);
        await within(s.send([id!, enc("reply"), ...body]), T, "our send");
        expectReport(await peer.recv(T), [enc("reply"), ...body]);
      }
    },
  },
  {
    ours: "REQ",
    theirs: "REP",
    oursAsks: true,
    run: (s) => askEcho(s, body, body, 3),
  },
  {
    ours: "REP",
    theirs: "REQ",
    oursAsks: false,
    async run(s, peer) {
      for (let i = 0; i < 3; i++) {
        await peer.send(bodySpec);
        expectFrames(await within(s.receive(), T, "our receive"), body);
        await within(s.send([enc(`reply ${i}`)]), T, "our send");
        expectReport(await peer.recv(T), [enc(`reply ${i}`)]);
      }
    },
  },
  {
    ours: "REQ",
    theirs: "ROUTER",
    oursAsks: true,
    run: (s) => askEcho(s, body, body, 3),
  },
  {
    ours: "DEALER",
    theirs: "REP",
    oursAsks: true,
    run: (s) => askEcho(s, [EMPTY, ...body], [EMPTY, ...body], 3),
  },
  {
    ours: "ROUTER",
    theirs: "REQ",
    oursAsks: false,
    async run(s, peer) {
      for (let i = 0; i < 3; i++) {
        await peer.send(bodySpec);
        const [id, delim, ...rest] = await within(s.receive(), T, "our receive") as Uint8Array[];
        expect(txt(id!)).toBe("their-id");
        expect(delim!.length).toBe(0);
        expectFrames(rest, body);
        await within(s.send([id!, EMPTY, enc(`reply ${i}`)]), T, "our send");
        expectReport(await peer.recv(T), [enc(`reply ${i}`)]);
      }
    },
  },
  {
    ours: "REP",
    theirs: "DEALER",
    oursAsks: false,
    async run(s, peer) {
      for (let i = 0; i < 3; i++) {
        await peer.send([{ hex: "" }, ...bodySpec]);
        expectFrames(await within(s.receive(), T, "our receive"), body);
        await within(s.send([enc(`reply ${i}`)]), T, "our send");
        expectReport(await peer.recv(T), [EMPTY, enc(`reply ${i}`)]);
      }
    },
  },
];

async function setUp(kind: (typeof PEER_KINDS)[number], p: Pairing, t: Transport, oursBinds: boolean): Promise<{ s: Socket; peer: Peer }> {
  const s = ours(p.ours, p.ours === "ROUTER" ? {} : { routingId: "our-id" });
  const peerOpts = { type: p.theirs, routingId: "their-id", echo: p.oursAsks };
  if (oursBinds) {
    await s.bind(bindEndpoint(t));
    const peer = await Peer.start(kind, { ...peerOpts, connect: [s.lastEndpoint!] });
    return { s, peer };
  }
  const peer = await Peer.start(kind, { ...peerOpts, bind: [bindEndpoint(t, "*")] });
  s.connect(peer.endpoint);
  return { s, peer };
}

for (const kind of PEER_KINDS) {
  const why = peerUnavailable(kind);
  describe.skipIf(why !== null)(`interop patterns with ${kind}${why ? ` (skipped: ${why})` : ""}`, () => {
    for (const p of pairings) {
      for (const t of TRANSPORTS) {
        for (const oursBinds of [true, false]) {
          const how = oursBinds ? "ours binds" : "theirs binds";
          test(`ours=${p.ours} ↔ theirs=${p.theirs} (${kind}), ${t}, ${how}`, async () => {
            const { s, peer } = await setUp(kind, p, t, oursBinds);
            await p.run(s, peer);
          }, 60_000);
        }
      }
    }

    test(`ours=ROUTER ↔ two theirs=DEALER (${kind}) without identities: generated ids (0x00 + 4 bytes) keep them apart`, async () => {
      const router = ours("ROUTER");
      await router.bind(bindEndpoint("tcp"));
      const a = await Peer.start(kind, { type: "DEALER", connect: [router.lastEndpoint!] });
      const b = await Peer.start(kind, { type: "DEALER", connect: [router.lastEndpoint!] });
      await a.send([{ utf8: "from a" }]);
      await b.send([{ utf8: "from b" }]);
      const ids = new Map<string, Uint8Array>();
      for (let i = 0; i < 2; i++) {
        const [id, m] = await within(router.receive(), T, "message");
        expect(id!.length).toBe(5);
        expect(id![0]).toBe(0);
        ids.set(txt(m!), id!);
      }
      expect(Buffer.compare(ids.get("from a")!, ids.get("from b")!)).not.toBe(0);
      await router.send([ids.get("from b")!, enc("to b")]);
      await router.send([ids.get("from a")!, enc("to a")]);
      expect(Buffer.from((await a.recv(T))![0]!.hex!, "hex").toString()).toBe("to a");
      expect(Buffer.from((await b.recv(T))![0]!.hex!, "hex").toString()).toBe("to b");
    }, 60_000);

    test(`ours=DEALER ↔ two theirs=ROUTER (${kind}): messages are dealt round-robin to both`, async () => {
      const a = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
      const b = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
      const s = ours("DEALER", { routingId: "rr" });
      let ready = 0;
      s.on("handshake", () => ready++);
      s.connect(a.endpoint);
      s.connect(b.endpoint);
      await waitFor(() => ready === 2, T, "both connections");
      for (let i = 0; i < 100; i++) await within(s.send([enc(String(i))]), T, "our send");
      const [ra, rb] = await Promise.all([a.recvCount(50, T), b.recvCount(50, T)]);
      expect(ra.count + rb.count).toBe(100);
      expect(ra.count).toBe(50);
      expect(rb.count).toBe(50);
    }, 60_000);

    test(`ours=REQ ↔ two theirs=REP (${kind}): requests alternate between them and every reply matches its request`, async () => {
      const reps = [
        await Peer.start(kind, { type: "REP", bind: [bindEndpoint("tcp", "*")] }),
        await Peer.start(kind, { type: "REP", bind: [bindEndpoint("tcp", "*")] }),
      ];
      const s = ours("REQ");
      let ready = 0;
      s.on("handshake", () => ready++);
      for (const r of reps) s.connect(r.endpoint);
      await waitFor(() => ready === 2, T, "both connections");
      const served: number[] = [];
      // One outstanding recv per REP; whichever REP gets a request answers it, the other keeps waiting.
      const pending: Array<Promise<{ who: number; frames: Awaited<ReturnType<Peer["recv"]>> }> | undefined> = [undefined, undefined];
      for (let i = 0; i < 10; i++) {
        await within(s.send([enc(`q${i}`)]), T, "our request");
        reps.forEach((r, k) => {
          if (!pending[k]) {
            pending[k] = r.recv(T).then((frames) => ({ who: k, frames }));
            pending[k]!.catch(() => {}); // the last one is still waiting when the peers are killed
          }
        });
        const { who, frames } = await Promise.race(pending as Array<Promise<{ who: number; frames: Awaited<ReturnType<Peer["recv"]>> }>>);
        pending[who] = undefined;
        expect(Buffer.from(frames![0]!.hex!, "hex").toString()).toBe(`q${i}`);
        await reps[who]!.send([{ utf8: `a${i} from ${who}` }]);
        expect(txt((await within(s.receive(), T, "reply"))[0]!)).toBe(`a${i} from ${who}`);
        served.push(who);
      }
      // Round-robin: consecutive requests never go to the same REP.
      for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1]);
    }, 60_000);

    test(`ours=DEALER ↔ theirs=ROUTER (${kind}): a 40-frame message with empty frames crosses intact both ways`, async () => {
      const frames: Uint8Array[] = [];
      const specs: FrameSpec[] = [];
      for (let i = 0; i < 40; i++) {
        const n = i % 5 === 0 ? 0 : i * 13;
        frames.push(patternBytes(n, i));
        specs.push({ size: n, seed: i });
      }
      const peer = await Peer.start(kind, { type: "ROUTER", bind: [bindEndpoint("tcp", "*")] });
      const s = ours("DEALER", { routingId: "multi" });
      s.connect(peer.endpoint);
      await within(s.send(frames), T, "our send");
      const got = await peer.recv(T);
      expect(got![0]!.hex).toBe(Buffer.from("multi").toString("hex"));
      expectReport(got!.slice(1), frames);
      await peer.send([{ utf8: "multi" }, ...specs]);
      expectFrames(await within(s.receive(), T, "our receive"), frames);
    }, 60_000);
  });
}
