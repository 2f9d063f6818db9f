#!/usr/bin/env bash
# What the test suite needs beyond pip: the browser tests drive Debian's Chromium
# (/usr/bin/chromium, headless) through Playwright, never a browser Playwright downloads.
# Installs it when it is missing; fails loudly when it cannot. Run as root or with sudo.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
fail() {
  echo "setup-tests: $CHROMIUM is missing and $1. Install Debian's chromium package" \
       "(apt-get install chromium), then run the tests again" >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "this user is not root and has no sudo"
  SUDO=sudo
fi
echo "setup-tests: installing chromium (for the browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || fail "apt-get update failed"
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null \
  || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "the chromium package did not install it"
