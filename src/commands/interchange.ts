/**
 * `fx interchange`: config from `-c FILE`, or from stdin with `--config-stdin` (how the executor starts it),
 * plus port and address flags → InterchangeOptions → runInterchange.
 */
import type { Command } from "commander";
import type { ConfigProblem } from "../config/errors.ts";
import type { InterchangeOptions } from "../config/roles.ts";
import type { FxConfig } from "../config/schema.ts";
import type { CliContext } from "./context.ts";
import { addConfigOptions, flagOverrides, loadRoleConfig, logOptions, runEntry, type Flags } from "./shared.ts";

const CONFIG_FLAGS = {
  "client-address": "executor.client_address",
  "worker-ports": "executor.worker_ports",
  "worker-port-range": "executor.worker_port_range",
  "interchange-port-range": "executor.interchange_port_range",
  "heartbeat-period": "executor.heartbeat_period",
  "heartbeat-threshold": "executor.heartbeat_threshold",
  poll: "executor.poll_period",
  "scheduler-mode": "executor.scheduler_mode",
} as const;

/** "A,B,C": three distinct ports within 1..65535. */
export function parsePortTriple(v: string): readonly [number, number, number] | string {
  const parts = v.split(",").map((x) => x.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) return `expected three ports "TASKS,RESULTS,COMMANDS", got ${JSON.stringify(v)}`;
  const [a, b, c] = parts.map(Number) as [number, number, number];
  if ([a, b, c].some((p) => p < 1 || p > 65535)) return `ports must be within 1..65535, got ${v}`;
  if (new Set([a, b, c]).size !== 3) return `the three ports must differ, got ${v}`;
  return [a, b, c];
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function defaultWorkerBindAddress(config: FxConfig): string {
  return config.executor.address.every((a) => LOOPBACK.test(a)) ? "127.0.0.1" : "0.0.0.0";
}

export async function interchangeOptions(ctx: CliContext, flags: Flags): Promise<InterchangeOptions> {
  const problems: ConfigProblem[] = [];
  if (flags.configStdin && flags.config !== undefined) {
    problems.push({ path: "", source: "flag --config-stdin", message: "cannot be combined with -c/--config" });
  }
  let clientPorts: readonly [number, number, number] | null = null;
  if (flags.clientPorts !== undefined) {
    const r = parsePortTriple(String(flags.clientPorts));
    if (typeof r === "string") problems.push({ path: "", source: "flag --client-ports", message: r });
    else clientPorts = r;
  }
  const stdin = flags.configStdin && flags.config === undefined ? { text: await ctx.readStdin(), origin: "<stdin>" } : undefined;
  const { config, configSource } = loadRoleConfig(ctx, flags, flagOverrides(flags, CONFIG_FLAGS), problems, stdin);
  const e = config.executor;
  return {
    ...logOptions(flags, config),
    config,
    configSource,
    clientAddress: e.client_address,
    clientPorts,
    workerPorts: e.worker_ports,
    workerPortRange: e.worker_port_range,
    workerBindAddress: (flags.workerBindAddress as string | undefined) ?? defaultWorkerBindAddress(config),
  };
}

export function registerInterchange(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("interchange")
    .description("run an interchange: queue tasks from clients, dispatch them to managers, scale blocks")
    .option("--config-stdin", "read the TOML config from stdin (how the executor starts an interchange)")
    .option("--client-address <addr>", "address the client channels bind to (executor.client_address)")
    .option("--client-ports <t,r,c>", "fixed tasks,results,commands ports (default: free ones from interchange_port_range)")
    .option("--worker-ports <t,r>", "fixed task,result ports for managers (executor.worker_ports)")
    .option("--worker-port-range <lo,hi>", "ports for managers to pick from (executor.worker_port_range)")
    .option("--interchange-port-range <lo,hi>", "ports for client channels to pick from")
    .option("--worker-bind-address <addr>", "address the manager channels bind to (default: 127.0.0.1 if all executor.address are loopback, else 0.0.0.0)")
    .option("--heartbeat-period <s>", "seconds between heartbeats (executor.heartbeat_period)")
    .option("--heartbeat-threshold <s>", "seconds of silence before a manager counts as lost")
    .option("--poll <ms>", "housekeeping period in milliseconds (executor.poll_period)")
    .option("--scheduler-mode <mode>", "hard or soft (executor.scheduler_mode)");
  addConfigOptions(cmd).action(async (flags: Flags) => runEntry(ctx, ctx.entries.interchange, await interchangeOptions(ctx, flags)));
}
