/**
 * Which interchange URLs the manager dials. With `--address a,b,c` (hosts, IPs or interface names) the
 * providers layer's probeAddresses picks the first that answers on the task port, keeping the URLs' ports;
 * probing repeats until the heartbeat threshold (the interchange may still be starting), then fails with
 * every address tried and why. Without addresses, the URLs are used as given.
 */
import type { ManagerOptions } from "../config/roles.ts";
import { probeAddresses } from "../providers/address.ts";
import { FxError } from "../util/errors.ts";
import type { Logger } from "../util/log.ts";

export interface InterchangeUrls {
  readonly taskUrl: string;
  readonly resultUrl: string;
}

const URL_RE = /^tcp:\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/;

/** Replace the host of a tcp:// URL, keeping its port. */
export function withHost(url: string, host: string): string {
  const m = URL_RE.exec(url);
  if (m === null) return url;
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `tcp://${h}:${m[2]}`;
}

export function portOf(url: string): number | null {
  const m = URL_RE.exec(url);
  return m === null ? null : Number(m[2]);
}

export async function resolveInterchangeUrls(opts: ManagerOptions, log: Logger, probeTimeoutMs = 3000): Promise<InterchangeUrls> {
  if (opts.addresses.length === 0) return { taskUrl: opts.taskUrl, resultUrl: opts.resultUrl };
  const port = portOf(opts.taskUrl);
  if (port === null) throw new FxError("E_MANAGER_URL", `--address needs a tcp://host:port task URL, got ${opts.taskUrl}`);
  const deadline = Date.now() + Math.max(opts.heartbeatThreshold, 1) * 1000;
  for (;;) {
    const r = await probeAddresses(opts.addresses, port, probeTimeoutMs);
    if (r.address !== null) {
      log.info(r.message);
      return { taskUrl: withHost(opts.taskUrl, r.address), resultUrl: withHost(opts.resultUrl, r.address) };
    }
    if (Date.now() >= deadline) throw new FxError("E_INTERCHANGE_UNREACHABLE", r.message);
    log.warn(r.message);
    await Bun.sleep(1000);
  }
}
