#!/usr/bin/env bash
# System packages the tests and the demo use: Knot DNS (a real authoritative DNS server that the
# verify/drift tests and the demo start on a loopback port; Debian package, installed here when
# missing) and moto (the local AWS the stacks are applied to; a Python package: checked and, when
# missing, named — this script cannot reach PyPI). Idempotent; needs root (or sudo) to install knot.
set -euo pipefail
if [ -x /usr/sbin/knotd ] || command -v knotd >/dev/null 2>&1; then
  echo "system deps: knot already installed" >&2
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends knot >/dev/null
  echo "system deps: knot installed ($(/usr/sbin/knotd --version | head -1))" >&2
fi
if command -v moto_server >/dev/null 2>&1; then
  echo "system deps: moto already installed ($(command -v moto_server))" >&2
else
  echo "system deps: moto_server is missing (the local AWS of the tests and the demo): pip install 'moto[server]' (moto 5.2.x, with boto3)" >&2
  exit 1
fi
