/** The scaling strategy and block bookkeeping (pure; the interchange drives them). See plan.ts. */
export * from "./config.ts";
export * from "./state.ts";
export * from "./plan.ts";
export * from "./walltime.ts";
