/**
 * Job scripts shared by every provider: directives (from the provider's template), then worker_init,
 * then the block's command. Scripts are written to `<logdir>/submit_scripts/` and kept for the user.
 */
import fs from "node:fs";
import path from "node:path";
import type { JobCommand } from "./provider.ts";
import { shellQuote } from "./shell-quote.ts";
import { renderTemplate, type TemplateValues } from "./template.ts";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";

/** The shell text that runs a block's command: quoted argv, or a given script body as-is. */
export function commandText(command: JobCommand): string {
  if (Array.isArray(command)) {
    if (command.length === 0) throw new ProviderError(C.CONFIG, "a block's command argv is empty");
    return shellQuote(command);
  }
  return (command as { script: string }).script;
}

/** A scheduler-safe job name: letters, digits, `_ . -`; at most 64 characters. */
export function safeJobName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
  return s.length > 0 ? s : "fx-block";
}

/**
 * The whole script: `header` is a template (`${name}` placeholders, all required), followed by
 * worker_init and the command. `header` should start with the `#!` line and the scheduler directives.
 */
export function renderJobScript(header: string, values: TemplateValues, workerInit: string, command: JobCommand): string {
  const head = renderTemplate(header, values).replace(/\s+$/, "");
  const init = workerInit.trim();
  const parts = [head, "", "# worker_init", init.length > 0 ? init : ":", "", "# the block's command", commandText(command), ""];
  return parts.join("\n");
}

export function submitScriptDir(logdir: string): string {
  return path.join(logdir, "submit_scripts");
}

/** Writes `<logdir>/submit_scripts/<base>.<ext>` (mode 0755) and returns its absolute path. */
export function writeJobScript(logdir: string, base: string, text: string, ext = "sh"): string {
  const dir = path.resolve(submitScriptDir(logdir));
  const file = path.join(dir, `${base}.${ext}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o755 });
  } catch (err) {
    throw new ProviderError(C.SPAWN, `cannot write job script ${file}: ${(err as Error).message}`, { cause: err });
  }
  return file;
}

/** Last `maxBytes` of a file, for reporting a failed block's output; "" when missing. */
export function readTail(file: string | undefined, maxBytes = 4096): string {
  if (!file) return "";
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, maxBytes);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return "";
  }
}
