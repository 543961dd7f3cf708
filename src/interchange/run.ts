/** Entry of `fx interchange` (placeholder until the role is built: reports the options it would run with). */
import type { InterchangeOptions } from "../config/roles.ts";
import { reportWouldRun } from "../util/placeholder.ts";

export async function runInterchange(opts: InterchangeOptions): Promise<number> {
  return reportWouldRun("interchange", opts);
}
