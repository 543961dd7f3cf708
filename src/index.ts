/** fx as a library: the executor (client) API. */
export { HighThroughputExecutor, type ExecutorInit, type TaskOptions, type TaskPromise, type StatusEvent } from "./executor/executor.ts";
export type { TaskOutcome } from "./executor/pending.ts";
export { RemoteError, InterchangeLost, ExecutorError, EXECUTOR_ERROR_CODES } from "./executor/errors.ts";
export type { ShellOptions } from "./executor/bodies.ts";
export type { ShellResult, ManagerInfo } from "./protocol/index.ts";
export { loadConfig, configFromObject } from "./config/load.ts";
export type { FxConfig } from "./config/schema.ts";
export type { ClientUrls } from "./config/roles.ts";
