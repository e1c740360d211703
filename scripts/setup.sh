#!/usr/bin/env bash
# Sets up a fresh Debian machine with Go for nixwire: module downloads and
# the real Nix daemons the integration tests talk to. Idempotent and quick
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
go mod download
if [ -x scripts/install-nix.sh ]; then
  scripts/install-nix.sh
fi
if [ -x scripts/install-sshd.sh ]; then
  scripts/install-sshd.sh
fi
