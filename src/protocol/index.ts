/** The fx protocol: messages, task bodies, codec. Pure data, no I/O. */
export * from "./messages.ts";
export * from "./task.ts";
export * from "./errors.ts";
export * from "./codec.ts";
export { PROTOCOL_VERSION, FX_VERSION } from "../version.ts";
