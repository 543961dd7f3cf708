/** Entry of `fx manager` (placeholder until the role is built: reports the options it would run with). */
import type { ManagerOptions } from "../config/roles.ts";
import { reportWouldRun } from "../util/placeholder.ts";

export async function runManager(opts: ManagerOptions): Promise<number> {
  return reportWouldRun("manager", opts);
}
