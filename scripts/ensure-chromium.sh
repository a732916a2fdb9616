#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/browser), which
# drive it with playwright-core: Playwright's own browser downloads are not used. Installs it with
# apt-get when missing, as root directly or through sudo; otherwise says what to run and fails.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: $CHROMIUM is missing and this user cannot install packages." >&2
  echo "ensure-chromium: run 'sudo apt-get update && sudo apt-get install -y chromium', then run the tests again." >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium (once)" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq chromium >/dev/null
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: apt-get installed chromium but $CHROMIUM is not there" >&2; exit 1; }
