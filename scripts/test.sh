#!/usr/bin/env bash
# The project's test command (`npm test`): every gate a change must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-mariadb.sh
npm run --silent build:functions
echo "== type check"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== tests"; npx jest "$@"
