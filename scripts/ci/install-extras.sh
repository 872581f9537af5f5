#!/usr/bin/env bash
# Installs what the heavy suites need beyond npm packages, idempotently (safe to run on every CI build):
#   - pgbouncer            for test/heavy/pgbouncer.test.ts (Debian package `pgbouncer`)
#   - PostgreSQL 15 server for test/heavy/failover.test.ts (initdb, pg_ctl, pg_basebackup from
#                          /usr/lib/postgresql/15/bin; Debian package `postgresql-15`)
#   - openssl              for the TLS tests' throwaway certificates
# Nothing is started: the tests start their own servers on free ports, as the `postgres` OS user.
# Needs root (or sudo) only when something is missing. Debian/Ubuntu (apt) only.
set -euo pipefail

PG_BINDIR=/usr/lib/postgresql/15/bin
missing=()
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ -x "$PG_BINDIR/pg_basebackup" ] && [ -x "$PG_BINDIR/initdb" ] || missing+=(postgresql-15)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-extras: pgbouncer, PostgreSQL 15 binaries and openssl are present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-extras: missing ${missing[*]} and not root (no sudo): run apt-get install ${missing[*]} as root" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-extras: missing ${missing[*]}, and this is not an apt-based system: install them by hand" >&2
  exit 1
fi

# The postgresql-15 package would otherwise create and start a "main" cluster on port 5432; the tests need
# only the binaries.
if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
  "${SUDO[@]}" mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# policy-rc.d exit 101 keeps the packages' services (pgbouncer on 6432, a cluster) from starting.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod +x "$policy"
  created_policy=1
fi
trap '[ "$created_policy" -eq 1 ] && "${SUDO[@]}" rm -f "$policy"' EXIT
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The tests run servers as the OS user `postgres`; the packages create it, but make sure.
id postgres >/dev/null 2>&1 || "${SUDO[@]}" useradd --system --user-group --home-dir /var/lib/postgresql postgres
echo "install-extras: installed ${missing[*]}"
