import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { LAUNCHERS, LauncherError, launchCommand } from "../../../src/launchers/index.ts";
import { SINGLE_NODE_SCRIPT } from "../../../src/launchers/single-node.ts";

const MANAGER = ["/opt/fx", "manager", "--task-url", "tcp://10.0.0.1:54000", "--block-id", "3"];
const shape = (tasksPerNode: number, nodesPerBlock: number, overrides: string[] = []) => ({ tasksPerNode, nodesPerBlock, overrides });

describe("launchers: exact argv", () => {
  test("single_node, 1 task: the command unchanged", () => {
    expect(LAUNCHERS.single_node(MANAGER, shape(1, 4))).toEqual(MANAGER);
  });

  test("single_node, 3 tasks: a bash loop with the command as positional args", () => {
    expect(LAUNCHERS.single_node(MANAGER, shape(3, 1))).toEqual(["/bin/bash", "-c", SINGLE_NODE_SCRIPT, "fx-single-node", "3", ...MANAGER]);
  });

  test("single_node really runs N copies with FX_TASK_RANK 0..N-1 and passes words literally", () => {
    const argv = LAUNCHERS.single_node(["/bin/sh", "-c", 'echo "rank=$FX_TASK_RANK arg=$0"', "a b;$x"], shape(3, 1));
    const r = spawnSync(argv[0]!, argv.slice(1));
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().trim().split("\n").sort();
    expect(lines).toEqual(["rank=0 arg=a b;$x", "rank=1 arg=a b;$x", "rank=2 arg=a b;$x"]);
  });

  test("single_node exits non-zero when any copy fails", () => {
    const argv = LAUNCHERS.single_node(["/bin/sh", "-c", 'test "$FX_TASK_RANK" != 1'], shape(2, 1));
    expect(spawnSync(argv[0]!, argv.slice(1)).status).not.toBe(0);
  });

  test("simple: overrides then the command", () => {
    expect(LAUNCHERS.simple(MANAGER, shape(4, 2))).toEqual(MANAGER);
    expect(LAUNCHERS.simple(MANAGER, shape(1, 1, ["nice", "-n", "5"]))).toEqual(["nice", "-n", "5", ...MANAGER]);
  });

  test("srun: nodes, total tasks, tasks per node, overrides, command", () => {
    expect(LAUNCHERS.srun(MANAGER, shape(2, 3, ["--cpu-bind=none"]))).toEqual([
      "srun", "--nodes", "3", "--ntasks", "6", "--ntasks-per-node", "2", "--cpu-bind=none", ...MANAGER,
    ]);
  });

  test("srun_mpi: the manager once on one node, overlapping the tasks' own steps", () => {
    expect(LAUNCHERS.srun_mpi(MANAGER, shape(4, 8))).toEqual(["srun", "--nodes", "1", "--ntasks", "1", "--overlap", ...MANAGER]);
  });

  test("mpiexec: -n total -ppn per node", () => {
    expect(LAUNCHERS.mpiexec(MANAGER, shape(2, 4, ["--hostfile", "hosts"]))).toEqual([
      "mpiexec", "-n", "8", "-ppn", "2", "--hostfile", "hosts", ...MANAGER,
    ]);
  });

  test("aprun: -n total -N per node", () => {
    expect(LAUNCHERS.aprun(MANAGER, shape(1, 5))).toEqual(["aprun", "-n", "5", "-N", "1", ...MANAGER]);
  });

  test("jsrun: -n total -r per node", () => {
    expect(LAUNCHERS.jsrun(MANAGER, shape(6, 2))).toEqual(["jsrun", "-n", "12", "-r", "6", ...MANAGER]);
  });

  test("launchCommand picks the configured launcher and its overrides", () => {
    expect(launchCommand({ type: "srun", overrides: ["--exclusive"] }, MANAGER, 1, 2)).toEqual([
      "srun", "--nodes", "2", "--ntasks", "2", "--ntasks-per-node", "1", "--exclusive", ...MANAGER,
    ]);
  });

  test.each(Object.keys(LAUNCHERS))("%s refuses an empty command and a bad shape, naming each problem", (name) => {
    const l = LAUNCHERS[name as keyof typeof LAUNCHERS];
    expect(() => l([], shape(1, 1))).toThrow(LauncherError);
    try {
      l(MANAGER, shape(0, 1.5));
      throw new Error("expected LauncherError");
    } catch (e) {
      expect(e).toBeInstanceOf(LauncherError);
      expect((e as Error).message).toContain("tasks_per_node");
      expect((e as Error).message).toContain("nodes_per_block");
    }
  });

  test("launchers never alter the command's words", () => {
    const weird = ["/bin/x", "a b", "$(rm -rf /)", "'", ""];
    for (const l of Object.values(LAUNCHERS)) {
      const out = l(weird, shape(2, 2));
      expect(out.slice(-weird.length)).toEqual(weird);
    }
  });
});
