/**
 * Endpoint strings: tcp://host:port, tcp://*:port, tcp://[::1]:port, port 0 / * (ephemeral),
 * port ranges tcp://host:lo-hi (bind to a random free port in the range), ipc:///path.
 */
import { ZmtpError } from "./errors.ts";

export type Endpoint =
  | { readonly transport: "tcp"; readonly host: string; readonly port: number; readonly range?: readonly [number, number] }
  | { readonly transport: "ipc"; readonly path: string };

function badEndpoint(ep: string, why: string): ZmtpError {
  return new ZmtpError("E_ZMTP_ENDPOINT", `bad endpoint ${JSON.stringify(ep)}: ${why}`);
}

function parsePort(ep: string, s: string): number {
  if (!/^\d{1,5}$/.test(s)) throw badEndpoint(ep, `port ${JSON.stringify(s)} is not a number`);
  const p = Number(s);
  if (p > 65535) throw badEndpoint(ep, `port ${p} is above 65535`);
  return p;
}

export function parseEndpoint(ep: string): Endpoint {
  if (typeof ep !== "string") throw badEndpoint(String(ep), "not a string");
  if (ep.startsWith("ipc://")) {
    const path = ep.slice(6);
    if (path.length === 0 || path === "*") throw badEndpoint(ep, "ipc needs a path");
    return { transport: "ipc", path };
  }
  if (!ep.startsWith("tcp://")) throw badEndpoint(ep, "only tcp:// and ipc:// are supported");
  const rest = ep.slice(6);
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw badEndpoint(ep, "IPv6 address must look like [addr]:port");
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon <= 0) throw badEndpoint(ep, "missing host:port");
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) throw badEndpoint(ep, "IPv6 addresses must be in brackets");
  }
  if (host.length === 0) throw badEndpoint(ep, "empty host");
  if (host === "*") host = "0.0.0.0";
  if (portText === "*") return { transport: "tcp", host, port: 0 };
  const dash = portText.indexOf("-");
  if (dash > 0) {
    const lo = parsePort(ep, portText.slice(0, dash));
    const hi = parsePort(ep, portText.slice(dash + 1));
    if (lo < 1 || hi < lo) throw badEndpoint(ep, `port range ${lo}-${hi} is empty`);
    return { transport: "tcp", host, port: lo, range: [lo, hi] };
  }
  return { transport: "tcp", host, port: parsePort(ep, portText) };
}

export function formatEndpoint(e: Endpoint, port?: number): string {
  if (e.transport === "ipc") return `ipc://${e.path}`;
  const h = e.host.includes(":") ? `[${e.host}]` : e.host;
  return `tcp://${h}:${port ?? e.port}`;
}
