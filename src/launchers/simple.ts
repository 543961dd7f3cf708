/** simple: the command once per block, as-is (the scheduler or the command itself spreads work). */
import { checkShape, type Launcher } from "./launcher.ts";

export const simpleLauncher: Launcher = (command, shape) => {
  checkShape("simple", command, shape);
  return [...shape.overrides, ...command];
};
