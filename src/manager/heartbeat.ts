/** Liveness decisions, pure in `now` (ms): when to send our heartbeat, when a silent peer counts as lost. */

export interface HeartbeatState {
  lastHeardMs: number;
  lastSentMs: number;
}

export function heartbeatDue(s: HeartbeatState, now: number, periodS: number): boolean {
  return now - s.lastSentMs >= periodS * 1000;
}

export function peerLost(s: HeartbeatState, now: number, thresholdS: number): boolean {
  return now - s.lastHeardMs > thresholdS * 1000;
}
