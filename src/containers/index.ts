/** The container layer's public door: worker modes, argv builders, allow-list, start errors, cold starts. */
export * from "./errors.ts";
export * from "./runtime.ts";
export * from "./allow-list.ts";
export * from "./start-failure.ts";
export * from "./cold-start.ts";
