#!/usr/bin/env bash
# What the test suite needs beyond pip:
# - the browser tests drive Debian's Chromium (/usr/bin/chromium, headless) through
#   Playwright, never a browser Playwright downloads;
# - the Spark engine's tests start a local Spark, which needs a Java runtime, 17 or later
#   (Debian's openjdk-17-jre-headless).
# Installs what is missing; fails loudly when it cannot. Run as root or with sudo.
set -euo pipefail
CHROMIUM=/usr/bin/chromium

java_major() {  # the major version of the java on PATH, or 0
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1 | grep . || echo 0
}

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ "$(java_major)" -ge 17 ] || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
fail() {
  echo "setup-tests: ${missing[*]} missing and $1. Install Debian's package(s)" \
       "(apt-get install ${missing[*]}), then run the tests again" >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "this user is not root and has no sudo"
  SUDO=sudo
fi
echo "setup-tests: installing ${missing[*]} (for the browser and Spark tests)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || fail "apt-get update failed"
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || fail "apt-get install failed"
[ -x "$CHROMIUM" ] || fail "the chromium package did not install it"
[ "$(java_major)" -ge 17 ] || fail "java 17 or later is still not on PATH"
