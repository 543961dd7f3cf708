/** Errors of the ZMTP layer: one class, stable codes (see docs/zmtp.md). */
import { FxError } from "../util/errors.ts";

export const ZMTP_ERROR_CODES = {
  /** Peer's greeting does not start with the ZMTP signature. */
  badSignature: "E_ZMTP_SIGNATURE",
  /** Peer speaks a ZMTP major version below 3. */
  badVersion: "E_ZMTP_VERSION",
  /** Peer asks for a security mechanism we do not speak (or a different one than ours). */
  badMechanism: "E_ZMTP_MECHANISM",
  /** Peer broke the handshake (no READY, bad metadata, …). */
  badHandshake: "E_ZMTP_HANDSHAKE",
  /** Peer's socket type cannot talk to ours. */
  incompatibleSocket: "E_ZMTP_SOCKET_TYPE",
  /** A frame is malformed (reserved flag bits, bad command). */
  badFrame: "E_ZMTP_FRAME",
  /** A frame or message is larger than maxMessageSize. */
  tooLarge: "E_ZMTP_TOO_LARGE",
  /** The stream ended in the middle of a greeting or frame. */
  truncated: "E_ZMTP_TRUNCATED",
  /** The handshake did not finish within handshakeTimeout. */
  handshakeTimeout: "E_ZMTP_HANDSHAKE_TIMEOUT",
  /** Heartbeat: no traffic from the peer within heartbeatTimeout / its TTL. */
  heartbeatTimeout: "E_ZMTP_HEARTBEAT_TIMEOUT",
  /** The peer sent an ERROR command. */
  peerError: "E_ZMTP_PEER_ERROR",
  /** A ROUTER refused a peer whose identity is already connected (handover off). */
  duplicateIdentity: "E_ZMTP_DUPLICATE_IDENTITY",
  /** A ROUTER with mandatory=true was asked to send to an unknown routing id. */
  unroutable: "E_ZMTP_UNROUTABLE",
  /** The endpoint string is not understood. */
  badEndpoint: "E_ZMTP_ENDPOINT",
  /** bind() failed (address in use, no free port in range, permission). */
  bindFailed: "E_ZMTP_BIND",
  /** The socket is closed. */
  closed: "E_ZMTP_CLOSED",
  /** The operation is not allowed in the socket's current state (REQ/REP lock-step). */
  badState: "E_ZMTP_STATE",
  /** The socket type does not support this operation (e.g. receive on PUB). */
  unsupported: "E_ZMTP_UNSUPPORTED",
  /** send() did not complete within sendTimeout. */
  sendTimeout: "E_ZMTP_SEND_TIMEOUT",
  /** An option value is invalid. */
  badOption: "E_ZMTP_OPTION",
  /** The transport failed (connection reset, write error). */
  transport: "E_ZMTP_TRANSPORT",
  /** A user onMessage callback threw. */
  handler: "E_ZMTP_HANDLER",
} as const;
export type ZmtpErrorCode = (typeof ZMTP_ERROR_CODES)[keyof typeof ZMTP_ERROR_CODES];

export class ZmtpError extends FxError {
  declare readonly code: ZmtpErrorCode;
  constructor(code: ZmtpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
