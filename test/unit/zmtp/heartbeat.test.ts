/** Liveness decisions are pure functions of state and now. */
import { describe, expect, test } from "bun:test";
import { livenessStep, livenessTick, type LivenessState } from "../../../src/zmtp/heartbeat.ts";

const opts = { handshakeTimeout: 1000, heartbeatInterval: 100, heartbeatTimeout: 300 };
const base: LivenessState = { startedAt: 0, ready: true, lastRecv: 0, lastPingSent: 0, pingOutstandingSince: -1, peerTtl: 0 };

describe("livenessStep", () => {
  test("handshake not finished in time expires", () => {
    const s = { ...base, ready: false };
    expect(livenessStep(s, 999, opts).kind).toBe("none");
    const a = livenessStep(s, 1000, opts);
    expect(a.kind === "expire" && a.code).toBe("E_ZMTP_HANDSHAKE_TIMEOUT");
  });

  test("a PING is due every heartbeatInterval", () => {
    expect(livenessStep(base, 99, opts).kind).toBe("none");
    expect(livenessStep(base, 100, opts).kind).toBe("ping");
  });

  test("silence for heartbeatTimeout after a PING expires; any traffic after it does not", () => {
    const s = { ...base, lastPingSent: 100, pingOutstandingSince: 100, lastRecv: 50 };
    const a = livenessStep(s, 400, opts);
    expect(a.kind === "expire" && a.code).toBe("E_ZMTP_HEARTBEAT_TIMEOUT");
    expect(livenessStep({ ...s, lastRecv: 150, lastPingSent: 390 }, 400, opts).kind).toBe("none");
  });

  test("the peer's TTL expires when nothing arrives for that long", () => {
    const s = { ...base, peerTtl: 500, lastRecv: 0 };
    const none = { handshakeTimeout: 0, heartbeatInterval: 0, heartbeatTimeout: 0 };
    expect(livenessStep(s, 499, none).kind).toBe("none");
    expect(livenessStep(s, 500, none).kind).toBe("expire");
  });

  test("no timer when nothing is active", () => {
    expect(livenessTick(base, { handshakeTimeout: 0, heartbeatInterval: 0, heartbeatTimeout: 0 })).toBe(0);
    expect(livenessTick(base, opts)).toBe(25);
  });
});
