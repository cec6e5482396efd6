#!/usr/bin/env bash
# The project's test command (`npm test`): every gate a change must pass.
# Extra arguments go to jest (e.g. `npm test -- test/database`).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== MariaDB for the SQL tests"; bash scripts/ensure-mariadb.sh
echo "== Chromium for the HTML report test"; bash scripts/ensure-chromium.sh
echo "== bundle functions"; npm run --silent build:functions
echo "== type check"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== jsii"; npm run --silent build:lib
echo "== tests"; npx jest "$@"
