#!/usr/bin/env bash
# Installs Debian's openssh-server, which the ssh-ng:// store URL tests run
# on 127.0.0.1 (each test starts its own sshd on a free port, with a
# throwaway host key and client key; nothing is configured system-wide and
# no system sshd is started). Idempotent.
set -euo pipefail
if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-sshd.sh: openssh-server is missing and this is not root: run as root, or install it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends openssh-server openssh-client
# The package may start a system sshd; the tests do not need it.
if command -v systemctl >/dev/null && systemctl is-active --quiet ssh 2>/dev/null; then
  systemctl stop ssh || true
fi
