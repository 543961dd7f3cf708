/** The one line an interchange prints on stdout when its sockets are bound, and its parser (executor side). */
import type { InterchangeUrls } from "./interchange.ts";

export const READY_PREFIX = "FX_INTERCHANGE_READY ";

export function formatReadyLine(urls: InterchangeUrls, pid: number): string {
  return `${READY_PREFIX}${JSON.stringify({ ...urls, pid })}\n`;
}

export interface ReadyInfo extends InterchangeUrls {
  readonly pid: number;
}

/** The ready info in a stdout line, or null when the line is something else. */
export function parseReadyLine(line: string): ReadyInfo | null {
  if (!line.startsWith(READY_PREFIX)) return null;
  try {
    const v = JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo;
    if (typeof v.client?.tasks !== "string" || typeof v.client?.commands !== "string" || typeof v.task_url !== "string") return null;
    return v;
  } catch {
    return null;
  }
}
