/**
 * The executor's connection to an interchange's client channel (DEALER → ROUTER): a fixed routing id, the
 * hello/welcome handshake with a deadline, and liveness. The link is *lost* when the connection stays down for
 * `lostTimeoutMs`, when receiving fails, or when after a reconnect a different interchange (another
 * interchange_id) answers — it knows none of our tasks. Everything else received goes to `onMessage`.
 */
import { randomBytes } from "node:crypto";
import {
  FX_VERSION, MSG, PROTOCOL_VERSION, decodeInterchangeToClient, encode,
  type ClientWelcome, type EncodedMessage, type InterchangeToClient,
} from "../protocol/index.ts";
import { describeError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";
import { Dealer } from "../zmtp/index.ts";
import { InterchangeLost } from "./errors.ts";

export interface ClientLinkOptions {
  readonly url: string;
  readonly wantStatus: boolean;
  readonly lostTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly log: Logger;
  onMessage(msg: InterchangeToClient): void;
  onLost(why: string): void;
}

export class ClientLink {
  private readonly dealer: Dealer;
  private lostTimer: ReturnType<typeof setTimeout> | null = null;
  private interchangeId: string | null = null;
  private handshakes = 0;
  private lost = false;
  private opened = false;
  private onWelcome: (w: ClientWelcome) => void = () => {};

  constructor(private readonly o: ClientLinkOptions) {
    // A fixed routing id: after a reconnect the interchange still knows which results are ours.
    const routingId = Buffer.from(`fx-${randomBytes(8).toString("hex")}`);
    this.dealer = new Dealer({
      routingId, sendHighWaterMark: 100_000, receiveHighWaterMark: 10_000, linger: 0,
      maxMessageSize: o.maxMessageSize, heartbeatInterval: 1000, heartbeatTimeout: 5000, logger: o.log,
    });
    this.dealer.on("disconnect", () => this.onDisconnect());
    this.dealer.on("handshake", () => this.onHandshake());
  }

  /** Connects and exchanges hello/welcome within 3 × lostTimeoutMs; rejects with InterchangeLost otherwise. */
  async open(): Promise<ClientWelcome> {
    const welcomed = new Promise<ClientWelcome>((resolve) => (this.onWelcome = resolve));
    this.dealer.connect(this.o.url);
    void this.receiveLoop();
    const timeout = this.o.lostTimeoutMs * 3;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sent = this.dealer.send(this.hello()); // waits for the connection: raced against the deadline too
    try {
      const [, welcome] = await Promise.race([
        Promise.all([sent, welcomed]),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new InterchangeLost(`no welcome from the interchange at ${this.o.url} within ${timeout} ms`)), timeout))),
      ]);
      this.opened = true;
      return welcome;
    } catch (err) {
      sent.catch(() => {});
      await this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Queues a message; a send that fails loses the link. */
  send(msg: object): void {
    this.sendRaw(encode(msg));
  }

  /** Queues an already encoded message. */
  sendRaw(bytes: EncodedMessage): void {
    this.dealer.send(bytes).catch((err) => this.loseWith(`cannot send to the interchange: ${describeError(err)}`));
  }

  async close(): Promise<void> {
    this.lost = true;
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    await this.dealer.close();
  }

  private hello(): Buffer {
    return encode({ type: MSG.clientHello, protocol_version: PROTOCOL_VERSION, fx_version: FX_VERSION, want_status: this.o.wantStatus });
  }

  private loseWith(why: string): void {
    if (this.lost) return;
    this.lost = true;
    if (this.lostTimer) clearTimeout(this.lostTimer);
    void this.dealer.close();
    this.o.onLost(why);
  }

  private onDisconnect(): void {
    if (this.lost || this.lostTimer) return;
    const ms = this.o.lostTimeoutMs;
    this.o.log.warn("lost the connection to the interchange; waiting for it to come back", { ms });
    this.lostTimer = setTimeout(() => this.loseWith(`no connection to the interchange at ${this.o.url} for ${ms} ms`), ms);
  }

  private onHandshake(): void {
    // After a reconnect, say hello again: the welcome tells whether this is still the same interchange.
    if (++this.handshakes > 1 && this.opened && !this.lost) this.dealer.send(this.hello()).catch(() => {});
    if (this.lostTimer) {
      clearTimeout(this.lostTimer);
      this.lostTimer = null;
    }
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const frames of this.dealer) {
        if (frames.length === 0) continue;
        let msg: InterchangeToClient;
        try {
          msg = decodeInterchangeToClient(frames);
        } catch (err) {
          this.o.log.warn("malformed message from the interchange (dropped)", { error: describeError(err) });
          continue;
        }
        if (msg.type === MSG.clientWelcome) this.welcome(msg);
        else this.o.onMessage(msg);
      }
    } catch (err) {
      if (!this.dealer.closed) this.loseWith(`receive failed: ${describeError(err)}`);
    }
  }

  private welcome(w: ClientWelcome): void {
    if (this.interchangeId !== null && w.interchange_id !== this.interchangeId) {
      this.loseWith(`the interchange was replaced (was ${this.interchangeId}, now ${w.interchange_id}); its tasks are gone`);
      return;
    }
    this.interchangeId = w.interchange_id;
    this.onWelcome(w);
  }
}
