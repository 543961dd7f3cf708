/** The launchers by config name, and `launchCommand()`: launcher config + manager argv → block argv. */
import type { LauncherConfig, LauncherType } from "../config/schema.ts";
import type { Launcher } from "./launcher.ts";
import { singleNodeLauncher } from "./single-node.ts";
import { simpleLauncher } from "./simple.ts";
import { srunLauncher, srunMpiLauncher } from "./srun.ts";
import { aprunLauncher, jsrunLauncher, mpiexecLauncher } from "./mpi.ts";

export { LauncherError, type Launcher, type LaunchShape } from "./launcher.ts";

export const LAUNCHERS: Readonly<Record<LauncherType, Launcher>> = {
  single_node: singleNodeLauncher,
  simple: simpleLauncher,
  srun: srunLauncher,
  srun_mpi: srunMpiLauncher,
  mpiexec: mpiexecLauncher,
  aprun: aprunLauncher,
  jsrun: jsrunLauncher,
};

export function launchCommand(
  cfg: LauncherConfig,
  command: readonly string[],
  tasksPerNode: number,
  nodesPerBlock: number,
): string[] {
  return LAUNCHERS[cfg.type](command, { tasksPerNode, nodesPerBlock, overrides: cfg.overrides });
}
