#!/usr/bin/env bash
# Makes sure the headless Chromium that opens the HTML backup report in the tests is installed.
# As root with apt-get it installs Debian's `chromium`; otherwise it stops with a one-line instruction.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium for the HTML report tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "Chromium is missing: run 'sudo apt-get update && sudo apt-get install -y chromium', then run the tests again." >&2
exit 1
