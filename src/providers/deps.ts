/** What every provider is given besides its config: where to write scripts and output, how to run CLIs. */
import type { CommandRunner } from "./command-runner.ts";
import type { Logger } from "../util/log.ts";

export interface ProviderDeps {
  /** Directory for submit scripts and job output (`<logdir>/submit_scripts/`). */
  readonly logdir: string;
  /** The scheduler-CLI seam; defaults to the real runner. Tests may replay recorded output through it. */
  readonly run?: CommandRunner;
  readonly log?: Logger;
}
