/**
 * What a role entry does before the role exists: report the resolved options it would run with, as JSON on
 * stdout, and succeed. Infinity (e.g. max_workers) prints as "inf".
 */
export function reportWouldRun(role: string, opts: unknown): number {
  const json = JSON.stringify(opts, (_k, v) => (v === Infinity ? "inf" : v), 2);
  process.stdout.write(`fx ${role} would run with:\n${json}\n`);
  return 0;
}
