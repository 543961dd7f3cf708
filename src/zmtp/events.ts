/** The events a socket reports, so the layer above can log and notice lost peers. */
import type { ZmtpError } from "./errors.ts";

export interface ZmtpEvents {
  /** A bind succeeded (endpoint has the real port). */
  listen: { endpoint: string };
  /** A peer connected to one of our bound endpoints (before the ZMTP handshake). */
  accept: { endpoint: string; remote: string };
  /** Our outgoing connection was established (before the ZMTP handshake). */
  connect: { endpoint: string; remote: string };
  /** A connect attempt failed or a connection was lost; the next attempt is in `interval` ms. */
  "connect:retry": { endpoint: string; interval: number; error: Error | null };
  /** The ZMTP handshake finished: the peer can now send and receive. */
  handshake: { endpoint: string; remote: string; routingId: Buffer | null; peerType: string };
  /** A handshaken peer went away. `error` is null for an orderly close. */
  disconnect: { endpoint: string; remote: string; routingId: Buffer | null; error: ZmtpError | null };
  /** A connection (or the socket) hit a problem; the connection, not the socket, was closed. */
  error: { endpoint: string; remote: string; error: ZmtpError };
  /** The socket finished closing. */
  close: Record<string, never>;
}

export type ZmtpEventName = keyof ZmtpEvents;
type Listener<K extends ZmtpEventName> = (ev: ZmtpEvents[K]) => void;

/** A tiny typed emitter; a throwing listener never disturbs the socket. */
export class ZmtpEmitter {
  private readonly listeners = new Map<ZmtpEventName, Array<(ev: never) => void>>();

  on<K extends ZmtpEventName>(name: K, fn: Listener<K>): () => void {
    let list = this.listeners.get(name);
    if (!list) this.listeners.set(name, (list = []));
    list.push(fn as (ev: never) => void);
    return () => this.off(name, fn);
  }

  off<K extends ZmtpEventName>(name: K, fn: Listener<K>): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.indexOf(fn as (ev: never) => void);
    if (i >= 0) list.splice(i, 1);
  }

  emit<K extends ZmtpEventName>(name: K, ev: ZmtpEvents[K]): void {
    const list = this.listeners.get(name);
    if (!list) return;
    for (const fn of list.slice()) {
      try {
        (fn as Listener<K>)(ev);
      } catch {
        // a listener's bug must not break the connection that reported the event
      }
    }
  }
}
