/**
 * ROUTER: every peer has a routing id (its Identity, else a generated 0x00 + uint32); received
 * messages get the id prepended, sent messages are routed by their first frame.
 * Policies (docs/zmtp.md): `mandatory` (unknown id → error, full peer → wait; else drop and count)
 * and `handover` (a duplicate identity takes over, else the newcomer is refused).
 */
import type { Connection } from "../connection.ts";
import { ZmtpError } from "../errors.ts";
import type { RouterOptions } from "../options.ts";
import { Socket } from "./base.ts";

export class Router extends Socket {
  readonly type = "ROUTER" as const;
  readonly mandatory: boolean;
  readonly handover: boolean;
  private readonly byId = new Map<string, Connection>();
  private nextId = (Math.random() * 0x7fffffff) >>> 0;

  constructor(opts: RouterOptions = {}) {
    super(opts);
    this.mandatory = opts.mandatory ?? false;
    this.handover = opts.handover ?? false;
  }

  /** True when a peer with this routing id is connected. */
  hasPeer(routingId: Uint8Array | string): boolean {
    return this.byId.has(key(routingId));
  }

  /** Routing ids of the handshaken peers. */
  routingIds(): Buffer[] {
    return this.peers.map((p) => p.routingId!);
  }

  protected override attachPeer(conn: Connection): ZmtpError | null {
    let id = conn.peerIdentity;
    if (id.length === 0) {
      do {
        id = Buffer.allocUnsafe(5);
        id[0] = 0;
        id.writeUInt32BE(this.nextId, 1);
        this.nextId = (this.nextId + 1) >>> 0;
      } while (this.byId.has(id.toString("latin1")));
    }
    const k = id.toString("latin1");
    const old = this.byId.get(k);
    if (old) {
      if (!this.handover) {
        return new ZmtpError("E_ZMTP_DUPLICATE_IDENTITY", `routing id ${printable(id)} is already connected`);
      }
      this.byId.delete(k);
      old.close();
    }
    conn.routingId = id;
    this.byId.set(k, conn);
    this.peers.push(conn);
    return null;
  }

  protected override detachPeer(conn: Connection): void {
    if (!conn.routingId) return;
    const k = conn.routingId.toString("latin1");
    if (this.byId.get(k) === conn) this.byId.delete(k);
  }

  protected override incoming(conn: Connection, frames: Buffer[]): void {
    frames.unshift(conn.routingId!);
    this.deliver(frames);
  }

  protected override route(frames: Uint8Array[]): boolean {
    if (frames.length < 2) throw new ZmtpError("E_ZMTP_OPTION", "a ROUTER message needs a routing id frame and at least one body frame");
    const id = frames[0]!;
    const p = this.byId.get(key(id));
    if (!p) {
      if (this.mandatory) throw new ZmtpError("E_ZMTP_UNROUTABLE", `no peer with routing id ${printable(id)}`);
      this.dropped++;
      return true;
    }
    if (p.full) {
      if (this.mandatory) return false;
      this.dropped++;
      return true;
    }
    p.sendMessage(frames, 1);
    return true;
  }
}

function key(id: Uint8Array | string): string {
  if (typeof id === "string") return Buffer.from(id).toString("latin1");
  return Buffer.from(id.buffer, id.byteOffset, id.length).toString("latin1");
}

function printable(id: Uint8Array): string {
  const b = Buffer.from(id.buffer, id.byteOffset, id.length);
  return /^[\x20-\x7e]+$/.test(b.toString("latin1")) ? JSON.stringify(b.toString("latin1")) : `0x${b.toString("hex")}`;
}
