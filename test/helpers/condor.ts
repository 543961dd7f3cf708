/**
 * Whether a usable HTCondor pool is here (scripts/setup-test-env.d/condor.sh starts one), for tests to skip on,
 * and the pool's job user. HTCondor refuses jobs from root, so in the test pool root's commands run as the
 * user `fx-condor` (see condor.sh); a test running as root gives that user the directories its jobs write to.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const CONDOR_ROOT = process.env.FX_CONDOR_ROOT ?? "/opt/fx-condor-root";
export const CONDOR_JOB_USER = "fx-condor";

/** Why the HTCondor tests can't run here (null: they can). `dirs` must be visible inside the pool's root. */
export function condorSkipReason(dirs: readonly string[] = []): string | null {
  const hint = "run scripts/setup-test-env.d/condor.sh";
  const r = spawnSync("condor_status", ["-af", "Name"], { encoding: "utf8", timeout: 20_000 });
  if (r.error) return `HTCondor tests skipped: condor_status not available (${r.error.message}); ${hint}`;
  if (r.status !== 0) return `HTCondor tests skipped: condor_status failed (${(r.stderr || r.stdout).trim()}); ${hint}`;
  if (!/^slot/m.test(r.stdout)) return `HTCondor tests skipped: the pool has no slot; ${hint}`;
  if (jobUser() === null) return `HTCondor tests skipped: no user ${CONDOR_JOB_USER}; ${hint}`;
  for (const d of dirs) {
    if (!fs.existsSync(path.join(CONDOR_ROOT, d))) return `HTCondor tests skipped: ${d} is not mounted into ${CONDOR_ROOT}; ${hint}`;
  }
  return null;
}

function jobUser(): { uid: number; gid: number } | null {
  const u = spawnSync("id", ["-u", CONDOR_JOB_USER], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", CONDOR_JOB_USER], { encoding: "utf8" });
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * Gives the job user `dir` and, created if missing, the subdirectories the jobs write to (when we run as root;
 * otherwise the jobs run as us and own nothing to change).
 */
export function giveToJobUser(dir: string, subdirs: readonly string[] = ["submit_scripts"]): void {
  const u = process.getuid?.() === 0 ? jobUser() : null;
  for (const d of [dir, ...subdirs.map((s) => path.join(dir, s))]) {
    fs.mkdirSync(d, { recursive: true });
    if (u) fs.chownSync(d, u.uid, u.gid);
  }
}
