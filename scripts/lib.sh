# Sourced by the scripts: finds the project root and the Bun that npm installed (no global bun).
# npm may not run bun's postinstall, so node_modules/.bin/bun can be a stub; use the platform package.
FX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fx_find_bun() {
  if [ -n "${BUN:-}" ] && [ -x "$BUN" ]; then return 0; fi
  local c
  for c in "$FX_ROOT"/node_modules/@oven/bun-linux-*/bin/bun "$FX_ROOT/node_modules/bun/bin/bun.exe"; do
    if [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then BUN=$c; export BUN; return 0; fi
  done
  return 1
}
fx_ensure_deps() {
  if ! fx_find_bun || [ ! -d "$FX_ROOT/node_modules/msgpackr" ]; then
    (cd "$FX_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || return 1
    fx_find_bun || { echo "fx: no usable bun under node_modules/@oven after npm ci" >&2; return 1; }
  fi
}
