/** Entry of `fx worker` (placeholder until the role is built: reports the options it would run with). */
import type { WorkerOptions } from "../config/roles.ts";
import { reportWouldRun } from "../util/placeholder.ts";

export async function runWorker(opts: WorkerOptions): Promise<number> {
  return reportWouldRun("worker", opts);
}
