/** The only public door of src/zmtp: ZMTP 3.1 sockets over tcp:// and ipc:// (see docs/zmtp.md). */
export { Socket } from "./socket/base.ts";
export { Dealer } from "./socket/dealer.ts";
export { Router } from "./socket/router.ts";
export { Req } from "./socket/req.ts";
export { Rep } from "./socket/rep.ts";
export { Pub } from "./socket/pub.ts";
export { Sub } from "./socket/sub.ts";
export { Pair } from "./socket/pair.ts";
export { Push, Pull } from "./socket/push-pull.ts";
export type { Frame, MessageLike } from "./socket/message.ts";
export type { SocketOptions, RouterOptions } from "./options.ts";
export { ZmtpError, ZMTP_ERROR_CODES, type ZmtpErrorCode } from "./errors.ts";
export type { ZmtpEvents, ZmtpEventName } from "./events.ts";
export { parseEndpoint, type Endpoint } from "./endpoint.ts";
export { SOCKET_TYPES, COMPATIBLE, type SocketType } from "./socket-types.ts";
export { bindInRange } from "./bind-range.ts";
