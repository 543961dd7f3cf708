/** Entry of `fx run` (placeholder until the pipeline is built: reports the options it would run with). */
import type { RunOptions } from "../config/roles.ts";
import { reportWouldRun } from "../util/placeholder.ts";

export async function runFxRun(opts: RunOptions): Promise<number> {
  return reportWouldRun("run", opts);
}
