/**
 * `executor.launch_cmd` (funcX's and Parsl's `launch_cmd`): the shell command line that starts one manager in a
 * block, with `{name}` placeholders. `{fx}` is this fx binary and `{args}` every argument fx gives the manager,
 * so "{fx} {args}" is what fx runs without a launch_cmd; the line can put fx elsewhere ("/shared/bin/fx {args}")
 * or wrap it ("numactl --interleave=all {fx} {args}"). The other names are single settings, for a line written
 * by hand. Every value goes in shell-quoted. `{{` and `}}` are literal braces (so `${{HOME}}` gives `${HOME}`).
 * The launcher wraps the resulting `/bin/sh -c LINE` like any manager command.
 */
import { shellQuote, shellQuoteWord } from "../providers/shell-quote.ts";

export const LAUNCH_CMD_NAMES = [
  "fx", "args", "task_url", "result_url", "block_id", "max_workers", "cores_per_worker", "nodes_per_block",
  "heartbeat_period", "heartbeat_threshold", "logdir", "debug",
] as const;
export type LaunchCmdName = (typeof LAUNCH_CMD_NAMES)[number];

/** Per name: argv words (quoted one by one and joined), or one word; "" for `debug` off puts in nothing. */
export type LaunchCmdValues = Readonly<Record<LaunchCmdName, readonly string[] | string>>;

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

/** What is wrong with a launch_cmd, each problem a sentence; [] when it can be used. */
export function launchCmdProblems(template: string): string[] {
  const out: string[] = [];
  const used = new Set<string>();
  for (const m of template.matchAll(TOKEN)) {
    const t = m[0];
    if (t === "{{" || t === "}}") continue;
    if (t === "{" || t === "}") {
      out.push(`has a lone "${t}" at column ${m.index! + 1}; write "${t}${t}" for a literal brace`);
      continue;
    }
    const name = m[1]!;
    if ((LAUNCH_CMD_NAMES as readonly string[]).includes(name)) used.add(name);
    else out.push(`has an unknown placeholder {${name}}; known: ${LAUNCH_CMD_NAMES.map((n) => `{${n}}`).join(", ")} (write {{ and }} for literal braces, e.g. \${{HOME}})`);
  }
  if (template.trim().length === 0) out.push("is empty; leave it unset for the default \"{fx} {args}\"");
  else if (!used.has("args") && !(used.has("task_url") && used.has("result_url"))) {
    out.push("has neither {args} nor both {task_url} and {result_url}: the manager would not know where the interchange is");
  }
  return out;
}

/** The command line, every placeholder filled. Throws on a template launchCmdProblems rejects. */
export function renderLaunchCmd(template: string, values: LaunchCmdValues): string {
  const problems = launchCmdProblems(template);
  if (problems.length > 0) throw new TypeError(`launch_cmd ${problems.join("; ")}`);
  return template.replace(TOKEN, (t, name: string | undefined) => {
    if (t === "{{") return "{";
    if (t === "}}") return "}";
    const v = values[name as LaunchCmdName];
    return typeof v === "string" ? (v.length === 0 ? "" : shellQuoteWord(v)) : shellQuote(v);
  });
}
