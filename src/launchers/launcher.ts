/**
 * Launchers are pure argv transforms: given the manager command (an argv) and the block's shape, they
 * return the argv the job script runs on the block's lead node. They never build shell strings; where
 * a launcher needs a shell loop (single_node), the command's words travel as "$@" positional arguments.
 */
import { FxError } from "../util/errors.ts";

export interface LaunchShape {
  /** Managers per node. */
  readonly tasksPerNode: number;
  readonly nodesPerBlock: number;
  /** Extra words the launcher puts before the command (e.g. srun flags). */
  readonly overrides: readonly string[];
}

export type Launcher = (command: readonly string[], shape: LaunchShape) => string[];

export class LauncherError extends FxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_LAUNCHER_CONFIG", message, options);
  }
}

/** Throws LauncherError unless the command and the shape make sense. */
export function checkShape(name: string, command: readonly string[], shape: LaunchShape): void {
  const problems: string[] = [];
  if (command.length === 0) problems.push("the command argv is empty");
  if (!Number.isInteger(shape.tasksPerNode) || shape.tasksPerNode < 1) problems.push(`tasks_per_node must be an integer ≥ 1 (got ${shape.tasksPerNode})`);
  if (!Number.isInteger(shape.nodesPerBlock) || shape.nodesPerBlock < 1) problems.push(`nodes_per_block must be an integer ≥ 1 (got ${shape.nodesPerBlock})`);
  if (problems.length > 0) throw new LauncherError(`${name} launcher: ${problems.join("; ")}`);
}
