/**
 * `fx config init|check|reference`: write the commented template, validate a config and print the effective
 * result, print the key reference. Hidden `fx config selftest` re-executes this fx (self-exec check).
 */
import fs from "node:fs";
import type { Command } from "commander";
import { configToJson, renderConfigToml, renderMarkdownReference, renderTemplate } from "../config/render.ts";
import { UsageError } from "../util/errors.ts";
import { isCompiled, selfArgv } from "../util/self-exec.ts";
import { FX_VERSION, PROTOCOL_VERSION } from "../version.ts";
import type { CliContext } from "./context.ts";
import { collect, loadRoleConfig, type Flags } from "./shared.ts";

export const DEFAULT_CONFIG_FILE = "fx.toml";

function init(ctx: CliContext, path: string | undefined, flags: Flags): void {
  const text = renderTemplate();
  const target = path ?? DEFAULT_CONFIG_FILE;
  if (target === "-") return ctx.out(text);
  try {
    fs.writeFileSync(target, text, { flag: flags.force ? "w" : "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new UsageError(`${target} exists; use --force to overwrite it`, { cause: err });
    throw new UsageError(`cannot write ${target}: ${(err as Error).message}`, { cause: err });
  }
  ctx.out(`wrote ${target}\n`);
}

function check(ctx: CliContext, path: string | undefined, flags: Flags): void {
  const { config, configSource } = loadRoleConfig(ctx, { ...flags, config: path }, [], []);
  if (flags.json) return ctx.out(`${configToJson(config)}\n`);
  ctx.out(`# ${configSource}: OK. Effective config (flags > FX_* env > file > defaults):\n\n${renderConfigToml(config)}`);
}

/** Re-executes this fx with --version and checks the answer: proves selfArgv() in this mode. */
function selftest(ctx: CliContext): void {
  const argv = selfArgv(["--version"]);
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: process.env as Record<string, string> });
  const output = r.stdout.toString().trim();
  const expected = `fx ${FX_VERSION} (protocol ${PROTOCOL_VERSION})`;
  const ok = r.exitCode === 0 && output === expected;
  ctx.out(`${JSON.stringify({ compiled: isCompiled(), argv, exitCode: r.exitCode, output, ok })}\n`);
  ctx.setExitCode(ok ? 0 : 1);
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const cmd = program.command("config").description("write, check and explain fx config files");
  cmd
    .command("init")
    .description(`write a fully commented config (every key, its default and meaning) to PATH (default ${DEFAULT_CONFIG_FILE}; - = stdout)`)
    .argument("[path]")
    .option("--force", "overwrite an existing file")
    .action((path: string | undefined, flags: Flags) => init(ctx, path, flags));
  cmd
    .command("check")
    .description("validate a config (default: the embedded one) with FX_* env and --set applied; print the effective config")
    .argument("[path]")
    .option("--json", "print the effective config as JSON")
    .option("--set <key=value>", "override one key (repeatable)", collect)
    .action((path: string | undefined, flags: Flags) => check(ctx, path, flags));
  cmd
    .command("reference")
    .description("print the reference of every key (Markdown), as in docs/configuration.md")
    .action(() => ctx.out(renderMarkdownReference()));
  cmd
    .command("selftest", { hidden: true })
    .description("re-execute this fx with --version (checks self-exec)")
    .action(() => selftest(ctx));
}
