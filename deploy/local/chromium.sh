#!/usr/bin/env bash
# Headless Chromium for the task-force console's browser tests (driven by playwright-core with
# executablePath /usr/bin/chromium). Installs Debian's package only when it is missing; needs
# root (or sudo) and the Debian archive. CHROMIUM_PATH names another browser binary to use instead.
set -euo pipefail

browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$browser" ]]; then
  exit 0
fi
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  echo "chromium.sh: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi

run_as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else
    echo "chromium.sh: /usr/bin/chromium is missing and installing it needs root: apt-get install chromium" >&2
    exit 1
  fi
}

echo "chromium.sh: installing Debian's chromium package for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update -q
run_as_root apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
"$browser" --version
