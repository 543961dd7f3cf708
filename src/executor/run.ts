/**
 * Entry of `fx executor`: run a local endpoint (an interchange with its provider's blocks) in this process until
 * SIGTERM/SIGINT or a shutdown command; print its client URLs (and write them as JSON to --info-file, the file
 * `fx run --endpoint` reads).
 */
import fs from "node:fs";
import type { ExecutorOptions } from "../config/roles.ts";
import { Interchange } from "../interchange/interchange.ts";
import { systemClock } from "../util/clock.ts";
import { describeError } from "../util/errors.ts";
import { createLogger } from "../util/log.ts";

function isLoopback(a: string): boolean {
  return a === "localhost" || a.startsWith("127.") || a === "::1";
}

export async function runExecutorCommand(opts: ExecutorOptions): Promise<number> {
  const log = createLogger({ name: "executor", level: opts.logLevel, ...(opts.logdir ? { logdir: opts.logdir, stderr: opts.debug } : {}) });
  const e = opts.config.executor;
  const ix = new Interchange({
    config: opts.config,
    clientAddress: e.client_address,
    clientPorts: null,
    workerPorts: e.worker_ports,
    workerPortRange: e.worker_port_range,
    workerBindAddress: e.address.every(isLoopback) ? "127.0.0.1" : "0.0.0.0",
    manageBlocks: true,
  }, log, systemClock);
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    void ix.shutdown(sig, false);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  try {
    const urls = await ix.start();
    const info = { ...urls.client, interchange_id: urls.interchange_id, pid: process.pid };
    if (opts.infoFile) fs.writeFileSync(opts.infoFile, `${JSON.stringify(info, null, 2)}\n`);
    const port = (u: string) => u.slice(u.lastIndexOf(":") + 1);
    const host = urls.client.tasks.slice(0, urls.client.tasks.lastIndexOf(":"));
    process.stdout.write(
      `fx executor: endpoint ${opts.config.endpoint.name} ready (config ${opts.configSource})\n` +
      `  tasks/results: ${urls.client.tasks}\n  commands:      ${urls.client.commands}\n` +
      `  use it with:   fx run --endpoint ${host}:${port(urls.client.tasks)},${port(urls.client.results)},${port(urls.client.commands)} FILE\n`,
    );
  } catch (err) {
    process.stderr.write(`fx executor: cannot start: ${describeError(err)}\n`);
    await ix.shutdown("start failed", false);
    return 1;
  }
  await ix.done;
  if (opts.infoFile) fs.rmSync(opts.infoFile, { force: true });
  log.close();
  return 0;
}
