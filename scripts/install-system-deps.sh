#!/usr/bin/env bash
# Debian packages the tests and the demo use: Knot DNS (a real authoritative DNS server that the
# verify/drift tests and the demo start on a loopback port) and GnuPG (the provider release signs
# its SHA256SUMS; the release test makes a throwaway key). Idempotent; needs root (or sudo) to install.
set -euo pipefail
missing=()
{ [ -x /usr/sbin/knotd ] || command -v knotd >/dev/null 2>&1; } || missing+=(knot)
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: knot and gnupg already installed" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system deps: installed ${missing[*]}" >&2
