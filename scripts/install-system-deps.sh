#!/usr/bin/env bash
# System packages the tests and the demo use: Knot DNS (a real authoritative DNS server that the
# verify/drift tests and the demo start on a loopback port) and GnuPG (the provider release signs
# its SHA256SUMS; the release test makes a throwaway key) — Debian packages, installed here when
# missing — and moto (the local AWS the stacks are applied to): a Python package this script cannot
# install (no PyPI here); checked, and named when missing. Idempotent; needs root (or sudo) to install.
set -euo pipefail
missing=()
{ [ -x /usr/sbin/knotd ] || command -v knotd >/dev/null 2>&1; } || missing+=(knot)
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: knot and gnupg already installed" >&2
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "system deps: installed ${missing[*]}" >&2
fi
if command -v moto_server >/dev/null 2>&1; then
  echo "system deps: moto already installed ($(command -v moto_server))" >&2
else
  echo "system deps: moto_server is missing (the local AWS of the tests and the demo): pip install 'moto[server]' (moto 5.2.x, with boto3)" >&2
  exit 1
fi
