/**
 * Which interchange URLs the manager dials. With `--address a,b,c` each host is tried in that order with
 * the URLs' ports (the providers layer's probeAddresses, once available, picks the first reachable);
 * without, the URLs are used as given.
 */
import type { ManagerOptions } from "../config/roles.ts";
import type { Logger } from "../util/log.ts";

export interface InterchangeUrls {
  readonly taskUrl: string;
  readonly resultUrl: string;
}

/** Replace the host of a tcp:// URL, keeping its port. */
export function withHost(url: string, host: string): string {
  const m = /^tcp:\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(url);
  if (m === null) return url;
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `tcp://${h}:${m[2]}`;
}

export async function resolveInterchangeUrls(opts: ManagerOptions, log: Logger): Promise<InterchangeUrls> {
  if (opts.addresses.length === 0) return { taskUrl: opts.taskUrl, resultUrl: opts.resultUrl };
  const host = opts.addresses[0]!;
  if (opts.addresses.length > 1) log.info("several interchange addresses given; using the first", { addresses: opts.addresses.join(","), chosen: host });
  return { taskUrl: withHost(opts.taskUrl, host), resultUrl: withHost(opts.resultUrl, host) };
}
