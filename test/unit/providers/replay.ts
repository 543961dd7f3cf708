/**
 * A CommandRunner that replays scheduler output (recorded or transcribed, see test/fixtures/schedulers)
 * instead of running the scheduler: the seam the providers use, fed known bytes. Every call is kept.
 */
import type { CommandResult, CommandRunner, CommandOptions } from "../../../src/providers/command-runner.ts";
import { ProviderError } from "../../../src/providers/errors.ts";

export interface Reply { readonly stdout?: string; readonly stderr?: string; readonly exitCode?: number }

export class Replay {
  readonly calls: { argv: string[]; opts: CommandOptions }[] = [];
  private readonly rules: { match: (argv: readonly string[]) => boolean; reply: Reply }[] = [];

  /** Answers commands whose argv[0] is `program` (and, if given, that contain every word of `having`). */
  on(program: string, reply: Reply, having: readonly string[] = []): this {
    this.rules.unshift({ match: (a) => a[0] === program && having.every((w) => a.includes(w)), reply });
    return this;
  }

  readonly run: CommandRunner = async (argv, opts) => {
    this.calls.push({ argv: [...argv], opts });
    const rule = this.rules.find((r) => r.match(argv));
    if (!rule) throw new ProviderError("E_PROVIDER_COMMAND_NOT_FOUND", `replay: no recorded output for ${argv.join(" ")}`);
    const result: CommandResult = { argv: [...argv], exitCode: rule.reply.exitCode ?? 0, stdout: rule.reply.stdout ?? "", stderr: rule.reply.stderr ?? "" };
    if (result.exitCode !== 0 && !opts.allowFailure) {
      throw new ProviderError("E_PROVIDER_COMMAND_FAILED", `${argv.join(" ")} exited ${result.exitCode}: ${result.stderr}`);
    }
    return result;
  };

  programs(): string[] {
    return this.calls.map((c) => c.argv[0]!);
  }
}
