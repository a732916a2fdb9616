#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: start [--owner PID] [DIR] | url [DIR] | stop [DIR].
#
# start  installs Debian's postgresql package when its binaries are missing, runs initdb into DIR (a
#        new temporary folder by default) as an unprivileged user, listens on 127.0.0.1 on a free port
#        and prints the URL (postgres://scim@127.0.0.1:PORT/postgres, trust authentication, loopback
#        only). With --owner PID the server is stopped and DIR removed once that process is gone, so
#        a test run that crashes leaves nothing behind.
# url    prints the URL of the server in DIR.
# stop   stops the server in DIR and removes DIR.
# Without DIR, url and stop use the folder the last start made (recorded in $PG_POINTER).
#
# As root, the server runs as $PG_USER when set, else Debian's `postgres` system user (the package
# creates it; initdb refuses root), else `nobody`. As anyone else it runs as that user.
set -euo pipefail

POINTER="${PG_POINTER:-${TMPDIR:-/tmp}/scim-pg.$(id -u).last}"

die() {
  echo "pg.sh: $*" >&2
  exit 1
}

bindir() {
  local dir
  # The newest installed major version.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_postgres() {
  local sudo=''
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die 'postgresql is not installed and there is no sudo to install it'
    sudo='sudo -n'
  fi
  echo 'pg.sh: installing Debian package postgresql' >&2
  # The cluster Debian makes (and starts) on install is not ours: keep it from being created.
  $sudo mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf ||
    echo 'create_main_cluster = false' | $sudo tee -a /etc/postgresql-common/createcluster.conf >/dev/null
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2 || die 'apt-get install postgresql failed'
}

# The user the server runs as, and how to run a command as that user.
server_user() {
  if [ "$(id -u)" != 0 ]; then
    id -un
  elif [ -n "${PG_USER:-}" ]; then
    echo "$PG_USER"
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    echo nobody
  fi
}

# run_as USER COMMAND...: root switches to USER; anyone else runs the command as themselves.
run_as() {
  local user="$1"
  shift
  if [ "$(id -u)" != 0 ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

# A port the kernel hands out as free right now (the start retries if another process takes it first).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die 'no free port found'
}

start() {
  local owner='' dir=''
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner) owner="$2"; shift 2 ;;
      *) dir="$1"; shift ;;
    esac
  done
  local bin
  bin="$(bindir)" || { install_postgres; bin="$(bindir)" || die 'postgresql binaries not found after install'; }
  local record=''
  # Only a folder made here for no owner becomes "the last start": a caller that names DIR keeps
  # track of it, and an owned server must not take the place of one started by hand.
  [ -n "$dir" ] || { dir="$(mktemp -d "${TMPDIR:-/tmp}/scim-pg.XXXXXX")"; [ -n "$owner" ] || record=1; }
  mkdir -p "$dir/data" "$dir/socket"
  chmod 755 "$dir"
  local user
  user="$(server_user)"
  [ "$(id -u)" != 0 ] || chown -R "$user" "$dir/data" "$dir/socket"
  chmod 700 "$dir/data"
  run_as "$user" "$bin/initdb" -D "$dir/data" -U scim --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
  local port attempt
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    touch "$dir/server.log"
    [ "$(id -u)" != 0 ] || chown "$user" "$dir/server.log"
    if run_as "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket -c max_connections=200" \
      start >/dev/null; then
      break
    fi
    [ "$attempt" != 5 ] || { tail -20 "$dir/server.log" >&2; die 'the server did not start (log above)'; }
  done
  local url="postgres://scim@127.0.0.1:$port/postgres"
  echo "$url" >"$dir/url"
  echo "$bin" >"$dir/bindir"
  [ -z "$record" ] || echo "$dir" >"$POINTER"
  if [ -n "$owner" ]; then
    # Stops the server once the owner is gone, however it ended.
    (
      trap '' HUP
      while kill -0 "$owner" 2>/dev/null; do sleep 1; done
      "$0" stop "$dir" >/dev/null 2>&1 || true
    ) </dev/null >/dev/null 2>&1 &
  fi
  echo "pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') as $user in $dir" >&2
  echo "$url"
}

resolve_dir() {
  local dir="${1:-}"
  [ -n "$dir" ] || dir="$(cat "$POINTER" 2>/dev/null)" || die 'no server started (no DIR given and no last start recorded)'
  [ -f "$dir/url" ] || die "no server in $dir"
  echo "$dir"
}

stop() {
  local dir
  dir="$(resolve_dir "${1:-}")"
  # As the user who owns the cluster, whichever that was at start; a server already gone is fine.
  local owner pg_ctl
  owner="$(stat -c %U "$dir/data" 2>/dev/null || id -un)"
  pg_ctl="$(cat "$dir/bindir")/pg_ctl"
  if [ -f "$dir/data/postmaster.pid" ] && run_as "$owner" "$pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    run_as "$owner" "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ||
      die "could not stop the server in $dir (left in place)"
  fi
  rm -rf "$dir"
  [ "$(cat "$POINTER" 2>/dev/null)" != "$dir" ] || rm -f "$POINTER"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  url) cat "$(resolve_dir "${2:-}")/url" ;;
  stop) stop "${2:-}" ;;
  *) echo 'usage: scripts/pg.sh start [--owner PID] [DIR] | url [DIR] | stop [DIR]' >&2; exit 2 ;;
esac
