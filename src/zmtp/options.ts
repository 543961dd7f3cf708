/** Socket options (names follow zeromq.js v6) and their defaults. */
import { systemClock, type Clock } from "../util/clock.ts";
import { silentLogger, type Logger } from "../util/log.ts";
import { ZmtpError } from "./errors.ts";

export interface SocketOptions {
  /** Our Identity in READY (DEALER/REQ/ROUTER); at most 255 bytes, must not start with 0x00. */
  routingId?: Buffer | Uint8Array | string;
  /** Messages queued per peer before send() waits (or a PUB/ROUTER drops). Default 1000; 0 = no limit. */
  sendHighWaterMark?: number;
  /** Messages queued in the socket before reading from peers pauses. Default 1000; 0 = no limit. */
  receiveHighWaterMark?: number;
  /** Largest frame/message accepted from a peer, bytes; bigger closes the connection. Default 256 MiB; -1 = no limit. */
  maxMessageSize?: number;
  /** First reconnect delay, ms. Default 100. */
  reconnectInterval?: number;
  /** Cap of the doubling reconnect delay, ms; 0 = no doubling. Default 0. */
  reconnectMaxInterval?: number;
  /** A connection that has not finished its handshake after this many ms is closed; 0 = never. Default 30000. */
  handshakeTimeout?: number;
  /** Send a PING every this many ms; 0 = off. Default 0. */
  heartbeatInterval?: number;
  /** Close when nothing arrives this long after a PING, ms. Default heartbeatInterval. */
  heartbeatTimeout?: number;
  /** TTL announced in our PINGs, ms (rounded down to 100 ms). Default 0 (none). */
  heartbeatTimeToLive?: number;
  /** On close, wait at most this long for queued messages to be written, ms; -1 = forever. Default 1000. */
  linger?: number;
  /** send() rejects with E_ZMTP_SEND_TIMEOUT after this many ms; -1 = wait forever. Default -1. */
  sendTimeout?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface RouterOptions extends SocketOptions {
  /** true: sending to an unknown routing id throws E_ZMTP_UNROUTABLE and a full peer makes send wait. false (default): drop, counted. */
  mandatory?: boolean;
  /** true: a new peer with an identity already connected takes it over (the old connection is closed). false (default): the newcomer is refused with ERROR. */
  handover?: boolean;
}

export interface ResolvedOptions {
  readonly routingId: Buffer;
  readonly sendHighWaterMark: number;
  readonly receiveHighWaterMark: number;
  readonly maxMessageSize: number;
  readonly reconnectInterval: number;
  readonly reconnectMaxInterval: number;
  readonly handshakeTimeout: number;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly heartbeatTimeToLive: number;
  readonly linger: number;
  readonly sendTimeout: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

export const MAX_MESSAGE_SIZE_DEFAULT = 256 * 1024 * 1024;

function num(name: string, v: number | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new ZmtpError("E_ZMTP_OPTION", `option ${name} must be a number >= ${min}, got ${String(v)}`);
  }
  return v;
}

/** libzmq's "no limit" values (0 for high-water marks, -1 for sizes) become Infinity. */
function orInfinity(v: number, unlimited: number): number {
  return v === unlimited ? Number.POSITIVE_INFINITY : v;
}

export function resolveOptions(o: SocketOptions = {}): ResolvedOptions {
  const id = o.routingId === undefined ? Buffer.alloc(0) : typeof o.routingId === "string" ? Buffer.from(o.routingId) : Buffer.from(o.routingId);
  if (id.length > 255) throw new ZmtpError("E_ZMTP_OPTION", `routingId is ${id.length} bytes; at most 255 allowed`);
  if (id.length > 0 && id[0] === 0) throw new ZmtpError("E_ZMTP_OPTION", "routingId must not start with a zero byte (reserved for generated ids)");
  const heartbeatInterval = num("heartbeatInterval", o.heartbeatInterval, 0, 0);
  return {
    routingId: id,
    sendHighWaterMark: orInfinity(num("sendHighWaterMark", o.sendHighWaterMark, 1000, 0), 0),
    receiveHighWaterMark: orInfinity(num("receiveHighWaterMark", o.receiveHighWaterMark, 1000, 0), 0),
    maxMessageSize: orInfinity(num("maxMessageSize", o.maxMessageSize, MAX_MESSAGE_SIZE_DEFAULT, -1), -1),
    reconnectInterval: num("reconnectInterval", o.reconnectInterval, 100, 1),
    reconnectMaxInterval: num("reconnectMaxInterval", o.reconnectMaxInterval, 0, 0),
    handshakeTimeout: num("handshakeTimeout", o.handshakeTimeout, 30000, 0),
    heartbeatInterval,
    heartbeatTimeout: num("heartbeatTimeout", o.heartbeatTimeout, heartbeatInterval, 0),
    heartbeatTimeToLive: num("heartbeatTimeToLive", o.heartbeatTimeToLive, 0, 0),
    linger: num("linger", o.linger, 1000, -1),
    sendTimeout: num("sendTimeout", o.sendTimeout, -1, -1),
    logger: o.logger ?? silentLogger,
    clock: o.clock ?? systemClock,
  };
}
