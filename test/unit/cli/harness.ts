/** Runs the fx commander program in-process; role entries record the options they receive instead of running. */
import { runCli } from "../../../src/cli.ts";
import type { CliIo, RoleEntries } from "../../../src/commands/context.ts";

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The role whose entry was called, and the options it got. */
  readonly role: keyof RoleEntries | null;
  readonly opts: any;
}

export async function fx(argv: string[], env: Record<string, string> = {}, stdin = "", roleExit = 0): Promise<CliRun> {
  let out = "";
  let err = "";
  let role: keyof RoleEntries | null = null;
  let opts: unknown = null;
  const record = (name: keyof RoleEntries) => async (o: unknown) => {
    role = name;
    opts = o;
    return roleExit;
  };
  const io: CliIo = {
    entries: { manager: record("manager"), worker: record("worker"), interchange: record("interchange"), executor: record("executor"), run: record("run") },
    env,
    readStdin: async () => stdin,
    out: (t) => { out += t; },
    err: (t) => { err += t; },
    stderrIsTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, out, err, role, opts };
}
