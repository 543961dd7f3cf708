import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { configFromObject } from "../../../src/config/load.ts";
import { managerArgs, managerArgv } from "../../../src/interchange/blocks.ts";
import { launchCmdProblems, renderLaunchCmd, type LaunchCmdValues } from "../../../src/launchers/launch-cmd.ts";
import { selfArgv } from "../../../src/util/self-exec.ts";

const HOST = { taskUrl: "tcp://127.0.0.1:54000", resultUrl: "tcp://127.0.0.1:54001" };
const VALUES: LaunchCmdValues = {
  fx: ["/opt/my fx/fx"], args: ["manager", "--logdir", "/tmp/it's here"], task_url: HOST.taskUrl, result_url: HOST.resultUrl,
  block_id: "7", max_workers: "inf", cores_per_worker: "0.5", nodes_per_block: "2", heartbeat_period: "30",
  heartbeat_threshold: "120", logdir: "/tmp/a b", debug: "",
};

/** The words /bin/sh splits a line into (the line's command replaced by printf). */
function words(line: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `set -- ${line}; printf '%s\\n' "$@"`], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout.split("\n").slice(0, -1);
}

describe("launch_cmd", () => {
  test("{fx} {args} gives /bin/sh exactly fx's words, spaces and quotes included", () => {
    expect(words(renderLaunchCmd("{fx} {args}", VALUES))).toEqual(["/opt/my fx/fx", "manager", "--logdir", "/tmp/it's here"]);
  });

  test("single names, literal braces, and {debug} off adds no word", () => {
    const line = renderLaunchCmd("env X=${{HOME}} fx manager {debug} --task-url={task_url} --result-url {result_url} --logdir {logdir} -b {block_id}", VALUES);
    expect(line).toContain("X=${HOME}");
    expect(words(line)).toEqual(["env", `X=${process.env.HOME}`, "fx", "manager", `--task-url=${HOST.taskUrl}`, "--result-url", HOST.resultUrl, "--logdir", "/tmp/a b", "-b", "7"]);
    expect(words(renderLaunchCmd("fx {debug} {args}", { ...VALUES, debug: "--debug" })).slice(0, 2)).toEqual(["fx", "--debug"]);
  });

  test("problems are named: unknown placeholder, lone brace, no way to reach the interchange, empty", () => {
    expect(launchCmdProblems("{fx} {args}")).toEqual([]);
    expect(launchCmdProblems("fx manager --task-url {task_url} --result-url {result_url}")).toEqual([]);
    const unknown = launchCmdProblems("{fx} {args} {worker_port}");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toContain("unknown placeholder {worker_port}");
    expect(unknown[0]).toContain("{task_url}");
    expect(launchCmdProblems("echo ${HOME} {args}")[0]).toContain("unknown placeholder {HOME}");
    expect(launchCmdProblems("{fx} {args} }")[0]).toContain('lone "}" at column 13');
    expect(launchCmdProblems("{fx} --task-url {task_url}")[0]).toContain("neither {args} nor both {task_url} and {result_url}");
    expect(launchCmdProblems("  ")[0]).toContain("is empty");
    expect(() => renderLaunchCmd("{fx}", VALUES)).toThrow("launch_cmd has neither {args}");
  });

  test("managerArgv: without launch_cmd fx's own argv; with it /bin/sh -c and the rendered line", () => {
    const plain = configFromObject({ executor: { max_workers: 3 } });
    expect(managerArgv(plain, HOST, "4")).toEqual(selfArgv(managerArgs(plain, HOST, "4")));
    const wrapped = configFromObject({ executor: { max_workers: 3, worker_debug: true, launch_cmd: "nice -n 5 {fx} {args} # block {block_id} of {nodes_per_block}" } });
    const argv = managerArgv(wrapped, HOST, "4");
    expect(argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    const args = managerArgs(wrapped, HOST, "4");
    expect(args).toContain("--debug");
    expect(words(argv[2]!.replace(/ #.*/, ""))).toEqual(["nice", "-n", "5", ...selfArgv(args)]);
    expect(argv[2]).toEndWith("# block 4 of 1");
  });

  test("config: a bad launch_cmd is refused with the key and every problem", () => {
    expect(() => configFromObject({ executor: { launch_cmd: "{fx} {args} {nope} {" } })).toThrow(/executor\.launch_cmd: has an unknown placeholder \{nope\}[\s\S]*executor\.launch_cmd: has a lone "\{"/);
  });
});
