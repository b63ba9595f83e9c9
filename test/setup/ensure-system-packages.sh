#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: the PostgreSQL 15 server,
# which the tests start as throwaway servers of their own. Runs before `npm test` (pretest).
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "The tests need these Debian packages: ${need[*]}. Install them (apt-get install ${need[*]}) or run npm test as root." >&2
  exit 1
fi

# Keep the packages from starting system-wide daemons while they install.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT

export DEBIAN_FRONTEND=noninteractive
echo "installing ${need[*]} for the tests..." >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
