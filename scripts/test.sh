#!/usr/bin/env bash
# The whole test suite: installs what the integration tests need (idempotent,
# fast when already installed) and runs every package's tests once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
go test -count=1 ./...
for mod in examples/*/; do
  if [ -f "$mod/go.mod" ]; then
    (cd "$mod" && go test -count=1 ./...)
  fi
done
