/**
 * Liveness decisions for one connection, as a pure function of its state and `now`:
 * handshake timeout, ZMTP 3.1 PING cadence, PING timeout and the peer's TTL.
 */
import type { ZmtpErrorCode } from "./errors.ts";

export interface LivenessState {
  readonly startedAt: number;
  readonly ready: boolean;
  /** Last time any byte arrived from the peer. */
  readonly lastRecv: number;
  /** Last time we sent a PING (or the handshake completed), -1 if never. */
  readonly lastPingSent: number;
  /** When we sent the PING still waiting for traffic, -1 if none. */
  readonly pingOutstandingSince: number;
  /** TTL the peer announced in its last PING (ms), 0 if none. */
  readonly peerTtl: number;
}

export interface LivenessOptions {
  readonly handshakeTimeout: number;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
}

export type LivenessAction =
  | { readonly kind: "none" }
  | { readonly kind: "ping" }
  | { readonly kind: "expire"; readonly code: ZmtpErrorCode; readonly reason: string };

const NONE: LivenessAction = { kind: "none" };
const PING: LivenessAction = { kind: "ping" };

export function livenessStep(s: LivenessState, now: number, o: LivenessOptions): LivenessAction {
  if (!s.ready) {
    if (o.handshakeTimeout > 0 && now - s.startedAt >= o.handshakeTimeout) {
      return { kind: "expire", code: "E_ZMTP_HANDSHAKE_TIMEOUT", reason: `handshake not finished within ${o.handshakeTimeout} ms` };
    }
    return NONE;
  }
  if (s.pingOutstandingSince >= 0 && s.lastRecv < s.pingOutstandingSince && now - s.pingOutstandingSince >= o.heartbeatTimeout) {
    return { kind: "expire", code: "E_ZMTP_HEARTBEAT_TIMEOUT", reason: `no traffic within ${o.heartbeatTimeout} ms of a PING` };
  }
  if (s.peerTtl > 0 && now - s.lastRecv >= s.peerTtl) {
    return { kind: "expire", code: "E_ZMTP_HEARTBEAT_TIMEOUT", reason: `no traffic within the peer's TTL of ${s.peerTtl} ms` };
  }
  if (o.heartbeatInterval > 0 && now - s.lastPingSent >= o.heartbeatInterval) return PING;
  return NONE;
}

/** How often to evaluate livenessStep: often enough to honour the smallest active duration. */
export function livenessTick(s: LivenessState, o: LivenessOptions): number {
  let d = Infinity;
  if (!s.ready && o.handshakeTimeout > 0) d = Math.min(d, o.handshakeTimeout);
  if (s.ready && o.heartbeatInterval > 0) d = Math.min(d, o.heartbeatInterval, o.heartbeatTimeout);
  if (s.ready && s.peerTtl > 0) d = Math.min(d, s.peerTtl);
  if (d === Infinity) return 0;
  return Math.max(5, Math.min(1000, Math.floor(d / 4)));
}
