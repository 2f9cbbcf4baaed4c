#!/usr/bin/env bash
# Installs Debian's chromium if it is missing: the console's browser tests drive it through
# playwright-core (`executablePath: /usr/bin/chromium`); npm browser downloads are not used.
# Idempotent; run by infra/services-up.sh (so `npm test`) and by .ci/run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "[chromium:up] installing Debian's chromium for the browser tests"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "[chromium:up] $(chromium --version)"
