#!/usr/bin/env bash
# Makes sure the MariaDB server and client the SQL tests start on loopback are installed, with
# what some of those tests also use: openssl (TLS certificates) and tzdata (a time zone with DST).
# As root with apt-get it installs them; otherwise it stops with a one-line instruction.
set -euo pipefail
needed=(/usr/sbin/mariadbd /usr/bin/mariadb-install-db /usr/bin/mariadb-dump /usr/bin/mariadb /usr/bin/mariadb-tzinfo-to-sql /usr/bin/openssl /usr/share/zoneinfo/Europe/Berlin)
missing=0
for file in "${needed[@]}"; do [ -e "$file" ] || missing=1; done
[ "$missing" = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing mariadb-server, mariadb-client, openssl and tzdata for the SQL tests..."
  # Without a policy-rc.d the package would start a server on port 3306.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client openssl tzdata >/dev/null
  exit 0
fi
echo "MariaDB, openssl or tzdata is missing: run 'sudo apt-get update && sudo apt-get install -y mariadb-server mariadb-client openssl tzdata', then run the tests again." >&2
exit 1
