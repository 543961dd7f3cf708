/**
 * Where the manager's worker channel listens: an ipc socket in a private temp dir (fast; reachable through a
 * container bind mount). A Unix socket path must fit in sun_path (108 bytes on Linux), and batch systems often
 * set long TMPDIRs: then /tmp is tried, and as a last resort tcp on 127.0.0.1 with a free port.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** sun_path is 108 bytes including the terminating NUL. */
export const MAX_IPC_PATH_BYTES = 107;

export interface WorkerEndpoint {
  /** What to bind: ipc://… or tcp://127.0.0.1:0. */
  readonly bindUrl: string;
  /** The private directory holding the ipc socket (removed on exit), or null for tcp. */
  readonly dir: string | null;
}

export function chooseWorkerEndpoint(tmpDirs: readonly string[] = [os.tmpdir(), "/tmp"]): WorkerEndpoint {
  for (const base of tmpDirs) {
    let dir: string;
    try {
      dir = fs.mkdtempSync(path.join(base, "fx-manager-"));
    } catch {
      continue;
    }
    const sock = path.join(dir, "workers.sock");
    if (Buffer.byteLength(sock) <= MAX_IPC_PATH_BYTES) return { bindUrl: `ipc://${sock}`, dir };
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { bindUrl: "tcp://127.0.0.1:0", dir: null };
}
