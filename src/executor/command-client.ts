/**
 * The executor's side of the command channel (REQ → the interchange's REP): one command at a time, each with
 * a deadline. A command that times out closes the REQ socket (its lock-step state is unknowable) and the next
 * command uses a fresh one.
 */
import { decodeCommandReply, encode, type CommandRequest } from "../protocol/index.ts";
import type { Logger } from "../util/log.ts";
import { Req } from "../zmtp/index.ts";
import { ExecutorError, EXECUTOR_ERROR_CODES } from "./errors.ts";

export class CommandClient {
  private sock: Req | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly url: string, private readonly log: Logger) {}

  private socket(): Req {
    if (!this.sock) {
      this.sock = new Req({ linger: 0, logger: this.log });
      this.sock.connect(this.url);
    }
    return this.sock;
  }

  /** Sends a command and returns its `data`; rejects with ExecutorError on `ok:false`, timeout or close. */
  call(req: CommandRequest, timeoutMs = 10_000): Promise<unknown> {
    const run = () => this.once(req, timeoutMs);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async once(req: CommandRequest, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new ExecutorError(EXECUTOR_ERROR_CODES.shutDown, `command ${req.type}: the executor is shut down`);
    const sock = this.socket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExecutorError(EXECUTOR_ERROR_CODES.commandTimeout, `command ${req.type}: no reply from the interchange within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const reply = await Promise.race([
        (async () => {
          await sock.send(encode(req));
          const frames = await sock.receive();
          return decodeCommandReply(frames[frames.length - 1]!);
        })(),
        timeout,
      ]);
      if (!reply.ok) throw new ExecutorError(reply.error.code, `command ${req.type} failed: ${reply.error.message}`);
      return reply.data;
    } catch (err) {
      if (!(err instanceof ExecutorError) || err.code === EXECUTOR_ERROR_CODES.commandTimeout) {
        this.sock = null;
        void sock.close();
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.sock;
    this.sock = null;
    if (s) await s.close();
  }
}
