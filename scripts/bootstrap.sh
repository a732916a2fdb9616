#!/usr/bin/env bash
# Makes sure Bun is available (from the npm registry, the only network this needs) and deps are installed.
# Sourced by scripts/serve and scripts/test; afterwards $BUN names the bun executable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if command -v bun >/dev/null 2>&1; then
  BUN="$(command -v bun)"
elif [ -x "$root/.tools/node_modules/.bin/bun" ]; then
  BUN="$root/.tools/node_modules/.bin/bun"
else
  echo "bootstrap: Bun not found; installing it from the npm registry" >&2
  if npm install -g bun >/dev/null 2>&1 && command -v bun >/dev/null 2>&1; then
    BUN="$(command -v bun)"
  else
    # No rights for a global install: keep Bun inside the checkout instead.
    npm install --prefix "$root/.tools" bun >/dev/null
    BUN="$root/.tools/node_modules/.bin/bun"
  fi
fi
export BUN
export PATH="$(dirname "$BUN"):$PATH"

if [ ! -d "$root/node_modules" ] || [ "$root/bun.lock" -nt "$root/node_modules" ]; then
  (cd "$root" && "$BUN" install --frozen-lockfile >/dev/null)
  touch "$root/node_modules"
fi
