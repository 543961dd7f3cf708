/**
 * Entry of `fx interchange`: bind, print the ready line (FX_INTERCHANGE_READY {json}) on stdout, serve until a
 * shutdown command or a signal. SIGTERM/SIGINT shut down at once (outstanding tasks fail with E_SHUTDOWN,
 * blocks are cancelled); a second signal exits immediately. Started by an executor (config on stdin), it also
 * stops when that parent process is gone, so a killed executor leaves no interchange behind.
 */
import type { InterchangeOptions } from "../config/roles.ts";
import { systemClock } from "../util/clock.ts";
import { describeError } from "../util/errors.ts";
import { createLogger } from "../util/log.ts";
import { validateTemplates } from "../containers/runtime.ts";
import { Interchange } from "./interchange.ts";
import { formatReadyLine } from "./ready.ts";

export async function runInterchange(opts: InterchangeOptions): Promise<number> {
  if (opts.config.executor.worker_mode !== "no_container") {
    // Managers run these argv templates much later, per worker: refuse a bad one now, every problem named.
    try {
      validateTemplates(opts.config.containers.templates);
    } catch (err) {
      process.stderr.write(`fx interchange: cannot start: ${describeError(err)}\n`);
      return 2;
    }
  }
  const log = createLogger({ name: "interchange", level: opts.logLevel, ...(opts.logdir ? { logdir: opts.logdir, stderr: opts.debug } : {}) });
  const ix = new Interchange({
    config: opts.config,
    clientAddress: opts.clientAddress,
    clientPorts: opts.clientPorts,
    workerPorts: opts.workerPorts,
    workerPortRange: opts.workerPortRange,
    workerBindAddress: opts.workerBindAddress,
    manageBlocks: true,
  }, log, systemClock);
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    log.info(`received ${sig}`);
    void ix.shutdown(sig, false);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  try {
    const urls = await ix.start();
    process.stdout.write(formatReadyLine(urls, process.pid));
  } catch (err) {
    log.error("interchange failed to start", { error: describeError(err) });
    process.stderr.write(`fx interchange: cannot start: ${describeError(err)}\n`);
    await ix.shutdown("start failed", false);
    return 1;
  }
  const parent = process.ppid;
  const watch = opts.configSource === "<stdin>"
    ? setInterval(() => {
      if (process.ppid !== parent) {
        log.warn("parent executor is gone; shutting down", { parent });
        void ix.shutdown("executor gone", false);
      }
    }, 500)
    : null;
  await ix.done;
  if (watch) clearInterval(watch);
  log.close();
  return 0;
}
