/**
 * srun: one copy of the command per task slot across the allocation
 * (`srun --nodes N --ntasks N*T --ntasks-per-node T [overrides] command`).
 *
 * srun_mpi: the manager once, on one node (`srun --nodes 1 --ntasks 1 …`), leaving the rest of the
 * allocation to the tasks, which run their own `srun`/`mpirun` across it (MPI applications).
 */
import { checkShape, type Launcher } from "./launcher.ts";

export const srunLauncher: Launcher = (command, shape) => {
  checkShape("srun", command, shape);
  const total = shape.tasksPerNode * shape.nodesPerBlock;
  return [
    "srun",
    "--nodes", String(shape.nodesPerBlock),
    "--ntasks", String(total),
    "--ntasks-per-node", String(shape.tasksPerNode),
    ...shape.overrides,
    ...command,
  ];
};

export const srunMpiLauncher: Launcher = (command, shape) => {
  checkShape("srun_mpi", command, shape);
  return ["srun", "--nodes", "1", "--ntasks", "1", "--overlap", ...shape.overrides, ...command];
};
