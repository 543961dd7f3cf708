/** Every subcommand, one file each: parse flags → typed options → the role's run(). No logic here. */
import type { Command } from "commander";

export function registerCommands(program: Command): void {
  for (const name of ["executor", "interchange", "manager", "worker", "run", "config"]) {
    program.command(name).description(`${name} role (not built yet)`).action(() => {
      process.stdout.write(`fx ${name}: not built yet\n`);
    });
  }
}
