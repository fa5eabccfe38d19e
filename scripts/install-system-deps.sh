#!/usr/bin/env bash
# Debian packages the tests and the demo use: Knot DNS (a real authoritative DNS server that the
# verify/drift tests and the demo start on a loopback port). Idempotent; needs root (or sudo) to install.
set -euo pipefail
if [ -x /usr/sbin/knotd ] || command -v knotd >/dev/null 2>&1; then
  echo "system deps: knot already installed" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends knot >/dev/null
echo "system deps: knot installed ($(/usr/sbin/knotd --version | head -1))" >&2
