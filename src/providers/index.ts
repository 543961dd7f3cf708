/** Providers by config type, and the types the rest of fx uses. See provider.ts for how to drive one. */
import type { ProviderConfig } from "../config/schema.ts";
import type { ProviderDeps } from "./deps.ts";
import type { Provider } from "./provider.ts";
import { LocalProvider } from "./local.ts";
import { SlurmProvider } from "./slurm.ts";
import { PbsProvider } from "./pbs.ts";
import { LsfProvider } from "./lsf.ts";
import { CondorProvider } from "./condor.ts";
import { GridEngineProvider } from "./gridengine.ts";
import { ProviderError, PROVIDER_ERROR_CODES } from "./errors.ts";

export { JobState, JOB_STATES, TERMINAL_JOB_STATES, isTerminal, type JobStatus, type JobCommand, type Provider } from "./provider.ts";
export { ProviderError, PROVIDER_ERROR_CODES } from "./errors.ts";
export type { ProviderDeps } from "./deps.ts";
export { runCommand, type CommandRunner, type CommandResult, type CommandOptions } from "./command-runner.ts";
export { LocalProvider } from "./local.ts";
export { SlurmProvider } from "./slurm.ts";
export { PbsProvider } from "./pbs.ts";
export { LsfProvider } from "./lsf.ts";
export { CondorProvider } from "./condor.ts";
export { GridEngineProvider } from "./gridengine.ts";
export { BatchProvider } from "./batch.ts";
export { shellQuote } from "./shell-quote.ts";
export { readTail } from "./job-script.ts";

export function createProvider(cfg: ProviderConfig, deps: ProviderDeps): Provider {
  switch (cfg.type) {
    case "local":
      return LocalProvider.fromConfig(cfg, deps);
    case "slurm":
      return new SlurmProvider(cfg, deps);
    case "pbs":
      return new PbsProvider(cfg, deps, "pbs");
    case "torque":
      return new PbsProvider(cfg, deps, "torque");
    case "lsf":
      return new LsfProvider(cfg, deps);
    case "condor":
      return new CondorProvider(cfg, deps);
    case "gridengine":
      return new GridEngineProvider(cfg, deps);
    default: {
      const never: never = cfg.type;
      throw new ProviderError(PROVIDER_ERROR_CODES.CONFIG, `unknown provider type "${String(never)}"`);
    }
  }
}
