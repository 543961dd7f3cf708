/** Entry of `fx executor` (placeholder until the role is built: reports the options it would run with). */
import type { ExecutorOptions } from "../config/roles.ts";
import { reportWouldRun } from "../util/placeholder.ts";

export async function runExecutorCommand(opts: ExecutorOptions): Promise<number> {
  return reportWouldRun("executor", opts);
}
