/**
 * Which interchange address a manager can reach. `executor.address` may hold host names, IP addresses
 * and interface names (e.g. "ib0"), or several of them (a list, or one comma-separated string).
 * Interface names resolve through os.networkInterfaces(), host names through DNS; each resulting
 * address is tried with a TCP connect to the given port, all at once, and the first candidate (in the
 * user's order) that answers wins. The result names every address tried and why it failed, so a
 * manager that reaches none can exit with one clear message. Interface names should be turned into
 * addresses on the interchange's machine first (`localAddresses`): they name its interfaces.
 */
import dns from "node:dns/promises";
import net from "node:net";
import os from "node:os";

export interface ProbeAttempt {
  /** What the user wrote (host, IP, or interface name). */
  readonly candidate: string;
  /** The address tried, or null when the candidate did not resolve. */
  readonly address: string | null;
  readonly ok: boolean;
  /** Why it failed (resolution error, ECONNREFUSED, timeout, …). */
  readonly error?: string;
}

export interface ProbeResult {
  /** The first reachable address in candidate order, or null. */
  readonly address: string | null;
  readonly attempts: readonly ProbeAttempt[];
  /** One line: the address chosen, or every address tried and why each failed. */
  readonly message: string;
}

/** Splits comma-separated entries, trims, drops blanks and repeats. */
export function expandCandidates(candidates: readonly string[] | string): string[] {
  const list = typeof candidates === "string" ? [candidates] : candidates;
  const out: string[] = [];
  for (const entry of list) for (const c of entry.split(",")) { const t = c.trim(); if (t && !out.includes(t)) out.push(t); }
  return out;
}

export interface Resolved {
  readonly candidate: string;
  readonly addresses: readonly string[];
  readonly error?: string;
}

function interfaceAddresses(name: string): string[] | null {
  const iface = os.networkInterfaces()[name];
  if (!iface) return null;
  const sorted = [...iface].sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
  return sorted.filter((i) => !(i.family === "IPv6" && i.address.startsWith("fe80"))).map((i) => i.address);
}

/**
 * Interface names replaced by their addresses on THIS machine; hosts and IPs kept as they are. The
 * interchange calls it before handing `--address` to managers: an interface name ("ib0") names the
 * interchange's interface, and would mean the compute node's own interface if resolved there.
 */
export function localAddresses(candidates: readonly string[] | string): string[] {
  const out: string[] = [];
  for (const c of expandCandidates(candidates)) {
    const addrs = net.isIP(c) ? null : interfaceAddresses(c);
    for (const a of addrs ?? [c]) if (!out.includes(a)) out.push(a);
  }
  return out;
}

/** Candidate → addresses: IP literals as-is, interface names via os.networkInterfaces() (IPv4 first), else DNS. */
export async function resolveCandidate(candidate: string): Promise<Resolved> {
  if (net.isIP(candidate)) return { candidate, addresses: [candidate] };
  const addresses = interfaceAddresses(candidate);
  if (addresses) {
    return addresses.length > 0 ? { candidate, addresses } : { candidate, addresses: [], error: `interface ${candidate} has no usable address` };
  }
  try {
    const found = await dns.lookup(candidate, { all: true, order: "ipv4first" });
    const addresses = [...new Set(found.map((f) => f.address))];
    return addresses.length > 0 ? { candidate, addresses } : { candidate, addresses: [], error: "no addresses" };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { candidate, addresses: [], error: `not an interface here, and DNS lookup failed (${code ?? (err as Error).message})` };
  }
}

/** Resolves with null on success, else the reason. Never rejects. */
export function tryConnect(address: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    let done = false;
    const finish = (why: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.once("connect", () => finish(null));
    sock.once("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

function hostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

export async function probeAddresses(candidates: readonly string[] | string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const list = expandCandidates(candidates);
  if (list.length === 0) return { address: null, attempts: [], message: "no interchange address to try (executor.address is empty)" };
  const resolved = await Promise.all(list.map(resolveCandidate));
  const pending: Promise<ProbeAttempt>[] = [];
  for (const r of resolved) {
    if (r.addresses.length === 0) pending.push(Promise.resolve({ candidate: r.candidate, address: null, ok: false, error: r.error ?? "unresolved" }));
    for (const a of r.addresses) {
      pending.push(tryConnect(a, port, timeoutMs).then((why) => (why === null
        ? { candidate: r.candidate, address: a, ok: true }
        : { candidate: r.candidate, address: a, ok: false, error: why })));
    }
  }
  const attempts = await Promise.all(pending);
  const win = attempts.find((a) => a.ok);
  if (win) return { address: win.address, attempts, message: `reached the interchange at ${hostPort(win.address!, port)} (from "${win.candidate}")` };
  const tried = attempts.map((a) => (a.address === null ? `"${a.candidate}": ${a.error}` : `${hostPort(a.address, port)} (from "${a.candidate}"): ${a.error}`));
  return { address: null, attempts, message: `no interchange address answered on port ${port}; tried ${tried.join("; ")}` };
}
