/**
 * Launchers of machines whose job runner is not srun (all: one copy per task slot, N nodes × T per node):
 *   mpiexec  `mpiexec -n N*T -ppn T [overrides] command`   (MPICH / Intel MPI / Cray PALS spelling)
 *   aprun    `aprun -n N*T -N T [overrides] command`        (Cray ALPS)
 *   jsrun    `jsrun -n N*T -r T [overrides] command`        (IBM LSF on Summit-class machines)
 */
import { checkShape, type Launcher } from "./launcher.ts";

function perSlot(name: string, total: string, perNode: string): Launcher {
  return (command, shape) => {
    checkShape(name, command, shape);
    return [
      name,
      total, String(shape.tasksPerNode * shape.nodesPerBlock),
      perNode, String(shape.tasksPerNode),
      ...shape.overrides,
      ...command,
    ];
  };
}

export const mpiexecLauncher: Launcher = perSlot("mpiexec", "-n", "-ppn");
export const aprunLauncher: Launcher = perSlot("aprun", "-n", "-N");
export const jsrunLauncher: Launcher = perSlot("jsrun", "-n", "-r");
