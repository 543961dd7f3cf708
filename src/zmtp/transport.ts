/** The byte transports: TCP and Unix-domain sockets through Bun.listen / Bun.connect. */
import type { Socket, SocketHandler, TCPSocketListener, UnixSocketListener } from "bun";
import { formatEndpoint, type Endpoint } from "./endpoint.ts";
import { ZmtpError } from "./errors.ts";

/** Per-link callbacks (a Connection, usually). */
export interface LinkHandler {
  onData(chunk: Buffer): void;
  onDrain(): void;
  onTransportClosed(cause: Error | null): void;
}

export interface LinkSlot {
  handler: LinkHandler | null;
}

export type BunLink = Socket<LinkSlot>;

/** Handlers shared by listeners and dialers; `open` attaches the per-link handler. */
export function linkHandlers(open: (s: BunLink) => void): SocketHandler<LinkSlot> {
  return {
    binaryType: "buffer",
    open(s) {
      s.data = { handler: null };
      open(s);
    },
    data(s, chunk) {
      s.data.handler?.onData(chunk as Buffer);
    },
    drain(s) {
      s.data.handler?.onDrain();
    },
    end(s) {
      s.data.handler?.onTransportClosed(null);
    },
    close(s, err) {
      s.data?.handler?.onTransportClosed(err ?? null);
    },
    error(s, err) {
      s.data?.handler?.onTransportClosed(err);
    },
    connectError() {
      // reported through the rejected Bun.connect promise
    },
  };
}

export interface Listener {
  /** The endpoint with the real port (for port 0 / ranges). */
  readonly endpoint: string;
  stop(): void;
}

/** Binds; port 0 picks a free port, a range tries random ports in it until one is free. */
export function listen(ep: Endpoint, raw: string, open: (s: BunLink) => void): Listener {
  const socket = linkHandlers(open);
  if (ep.transport === "ipc") {
    let server: UnixSocketListener<LinkSlot>;
    try {
      server = Bun.listen<LinkSlot>({ unix: ep.path, socket, data: { handler: null } });
    } catch (err) {
      throw new ZmtpError("E_ZMTP_BIND", `cannot bind ${raw}: ${(err as Error).message}`, { cause: err });
    }
    return { endpoint: formatEndpoint(ep), stop: () => server.stop(false) };
  }
  const tryPort = (port: number): TCPSocketListener<LinkSlot> => Bun.listen<LinkSlot>({ hostname: ep.host, port, socket, data: { handler: null }, exclusive: true });
  if (!ep.range) {
    try {
      const server = tryPort(ep.port);
      return { endpoint: formatEndpoint(ep, server.port), stop: () => server.stop(false) };
    } catch (err) {
      throw new ZmtpError("E_ZMTP_BIND", `cannot bind ${raw}: ${(err as Error).message}`, { cause: err });
    }
  }
  const [lo, hi] = ep.range;
  const span = hi - lo + 1;
  const start = Math.floor(Math.random() * span);
  let last: unknown = null;
  // Random start, then walk the whole range once: every port is tried at most once.
  for (let i = 0; i < span; i++) {
    const port = lo + ((start + i) % span);
    try {
      const server = tryPort(port);
      return { endpoint: formatEndpoint(ep, server.port), stop: () => server.stop(false) };
    } catch (err) {
      last = err;
    }
  }
  throw new ZmtpError("E_ZMTP_BIND", `no free port in ${lo}-${hi} on ${ep.host}`, { cause: last });
}

/** Connects once; rejects when the peer is not there (the caller retries). */
export function dial(ep: Endpoint, open: (s: BunLink) => void): Promise<BunLink> {
  const socket = linkHandlers(open);
  if (ep.transport === "ipc") return Bun.connect<LinkSlot>({ unix: ep.path, socket, data: { handler: null } });
  return Bun.connect<LinkSlot>({ hostname: ep.host, port: ep.port, socket, data: { handler: null } });
}
