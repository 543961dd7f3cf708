/**
 * single_node: runs `tasksPerNode` copies of the command on the block's first node (other nodes of a
 * multi-node block stay unused, as with Parsl's SingleNodeLauncher). One copy → the command unchanged.
 * Several → a bash loop that starts each copy with FX_TASK_RANK set, waits for all, and exits non-zero
 * when any copy failed. The command's words are bash's positional arguments, never re-parsed text.
 */
import { checkShape, type Launcher } from "./launcher.ts";

export const SINGLE_NODE_SCRIPT =
  'n=$1; shift; pids=(); for ((i = 0; i < n; i++)); do FX_TASK_RANK=$i "$@" & pids+=($!); done; ' +
  'rc=0; for p in "${pids[@]}"; do wait "$p" || rc=$?; done; exit $rc';

export const singleNodeLauncher: Launcher = (command, shape) => {
  checkShape("single_node", command, shape);
  if (shape.tasksPerNode === 1 && shape.overrides.length === 0) return [...command];
  return ["/bin/bash", "-c", SINGLE_NODE_SCRIPT, "fx-single-node", String(shape.tasksPerNode), ...shape.overrides, ...command];
};
