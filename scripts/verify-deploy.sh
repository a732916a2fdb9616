#!/usr/bin/env bash
# Checks the examples under deploy/: the certbot hook's shell syntax, and the systemd unit with systemd-analyze verify when the machine has it.
# Usage: scripts/verify-deploy.sh ./scim-server   (the unit's ExecStart is pointed at that binary)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
sh -n "$root/deploy/certbot-deploy-hook"
echo "verify-deploy: deploy/certbot-deploy-hook parses as sh"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "verify-deploy: systemd-analyze not found; skipping the unit check"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/local/bin/scim-server#$bin#" "$root/deploy/scim-server.service" > "$tmp/scim-server.service"
systemd-analyze verify "$tmp/scim-server.service"
echo "verify-deploy: deploy/scim-server.service passes systemd-analyze verify"
