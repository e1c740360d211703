#!/usr/bin/env bash
# Installs the two real Nix daemons that nixwire's integration tests talk to:
#
#   * Nix 2.8 (worker protocol 1.34): Debian bookworm's nix-bin, installed
#     with apt-get, using the system store /nix/store and an offline
#     /etc/nix/nix.conf.
#   * Nix 2.26 (worker protocol 1.38): Debian trixie's nix-bin and its whole
#     library closure, unpacked with dpkg -x into a prefix (default
#     /opt/nixwire/nix-2.26, or $NIXWIRE_NIX_MODERN_PREFIX) and run through
#     the prefix's own dynamic loader by the wrappers
#     <prefix>/bin/nix-daemon-modern, nix-store-modern and nix-modern, with a
#     private store root (<prefix>/state/root) so that it never touches the
#     2.8 database in /nix/var.
#
# Idempotent: when both are already installed it only checks them (well under
# two seconds) and prints one summary line per daemon. Needs root to install.
set -euo pipefail

readonly LEGACY_SERIES="2.8"
readonly MODERN_SERIES="2.26"
readonly MODERN_PREFIX="${NIXWIRE_NIX_MODERN_PREFIX:-/opt/nixwire/nix-2.26}"
readonly MODERN_SUITE="trixie"
readonly NIX_CONF="/etc/nix/nix.conf"
readonly MARKER=".nixwire-nix-prefix"

LOG="$(mktemp -t install-nix.XXXXXX.log)"
TMPDIRS=()
cleanup() {
  local d
  for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do
    rm -rf -- "$d"
  done
  rm -f -- "$LOG"
}
trap cleanup EXIT

die() {
  echo "install-nix: $*" >&2
  exit 1
}

# run CMD...: runs a command with its output going to the log; on failure
# prints the log and exits.
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    echo "install-nix: failed: $*" >&2
    tail -n 60 "$LOG" >&2
    exit 1
  fi
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (run as root or with sudo)"
}

# version_of CMD...: prints the "X.Y.Z" version reported by CMD --version, or
# nothing.
version_of() {
  "$@" --version 2>/dev/null | sed -n 's/^.*(Nix) \([0-9][0-9.a-z+~-]*\).*$/\1/p' | head -n1 || true
}

# ---------------------------------------------------------------------------
# Nix 2.8 from bookworm

legacy_version() {
  command -v nix-daemon >/dev/null 2>&1 || return 0
  version_of nix-daemon
}

write_nix_conf() {
  local want
  want="# Written by nixwire's scripts/install-nix.sh: an offline, single-user
# setup in which root runs nix-daemon --stdio against the local store.
build-users-group =
sandbox = false
substituters =
trusted-substituters =
builders =
experimental-features = nix-command
"
  if [ -f "$NIX_CONF" ] && [ "$(cat "$NIX_CONF")" = "$(printf '%s' "$want")" ]; then
    return 0
  fi
  need_root "writing $NIX_CONF"
  mkdir -p "$(dirname "$NIX_CONF")"
  if [ -f "$NIX_CONF" ] && ! grep -q "nixwire's scripts/install-nix.sh" "$NIX_CONF"; then
    cp -p "$NIX_CONF" "$NIX_CONF.before-nixwire"
  fi
  printf '%s' "$want" >"$NIX_CONF.tmp.$$"
  mv -f "$NIX_CONF.tmp.$$" "$NIX_CONF"
}

install_legacy() {
  local v
  v="$(legacy_version)"
  case "$v" in
  "$LEGACY_SERIES".*) ;;
  *)
    need_root "installing nix-bin"
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update
    run apt-get install -y --no-install-recommends nix-bin
    hash -r
    v="$(legacy_version)"
    case "$v" in
    "$LEGACY_SERIES".*) ;;
    *) die "nix-daemon on PATH reports '${v:-nothing}', want $LEGACY_SERIES.x (is another Nix first on PATH?)" ;;
    esac
    ;;
  esac
  write_nix_conf
  # The first store operation creates /nix/store and the database; do it here
  # once so that tests starting several daemons at a time never race on it.
  if [ ! -e /nix/var/nix/db/db.sqlite ]; then
    need_root "initialising /nix"
    mkdir -p /nix/store /nix/var/nix
    run nix-store --init
  fi
  LEGACY_VERSION="$v"
}

# ---------------------------------------------------------------------------
# Nix 2.26 from trixie, unpacked into a prefix

# debian_mirror prints the first Debian archive URI (not the security archive)
# from the machine's apt sources: one-line .list files and deb822 .sources.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    uri="$(awk '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        u = $i; s = $(i + 1)
        if (u ~ /^(https?|file):/ && s !~ /security/ && u !~ /security/ && u ~ /debian/) { print u; exit }
      }' "$f")"
    if [ -n "$uri" ]; then
      echo "${uri%/}"
      return 0
    fi
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    uri="$(awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled !~ /^[Nn][Oo]$/ && suites !~ /security/) {
          n = split(uris, us, " ")
          for (k = 1; k <= n; k++)
            if (us[k] ~ /^(https?|file):/ && us[k] ~ /debian/ && us[k] !~ /security/) { print us[k]; found = 1; exit }
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
      key == "types:" { types = $0 }
      key == "uris:" { uris = $0 }
      key == "suites:" { suites = $0 }
      key == "enabled:" { enabled = $0 }
      END { if (!found) flush() }' "$f")"
    if [ -n "$uri" ]; then
      echo "${uri%/}"
      return 0
    fi
  done
  echo "http://deb.debian.org/debian"
}

multiarch_triplet() {
  case "$(dpkg --print-architecture)" in
  amd64) echo x86_64-linux-gnu ;;
  arm64) echo aarch64-linux-gnu ;;
  i386) echo i386-linux-gnu ;;
  *) die "unsupported architecture $(dpkg --print-architecture)" ;;
  esac
}

# modern_version PREFIX: version reported by the prefix's nix, run through
# the prefix's loader (empty when it does not run).
modern_version() {
  local p="$1" triplet loader
  triplet="$(multiarch_triplet)"
  loader="$(find_loader "$p" "$triplet")" || return 0
  [ -x "$p/usr/bin/nix" ] || return 0
  version_of "$loader" --argv0 nix-daemon --library-path "$(library_path "$p" "$triplet")" "$p/usr/bin/nix"
}

find_loader() {
  local p="$1" triplet="$2" l
  for l in "$p/usr/lib/$triplet"/ld-linux*.so.* "$p/lib/$triplet"/ld-linux*.so.* "$p/usr/lib64"/ld-linux*.so.* "$p/lib64"/ld-linux*.so.*; do
    if [ -f "$l" ] && [ -x "$l" ]; then
      echo "$l"
      return 0
    fi
  done
  return 1
}

library_path() {
  local p="$1" triplet="$2" out="" d
  for d in "$p/usr/lib/$triplet" "$p/lib/$triplet" "$p/usr/lib/$triplet/nix" "$p/usr/lib/nix" "$p/usr/lib"; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then
      out="${out:+$out:}$d"
    fi
  done
  echo "$out"
}

unpack_modern() {
  local p="$1" staging work mirror
  need_root "installing Nix $MODERN_SERIES into $p"
  command -v dpkg >/dev/null || die "dpkg not found"
  if [ -e "$p" ] && [ ! -e "$p/$MARKER" ] && [ -n "$(ls -A "$p" 2>/dev/null)" ]; then
    die "$p exists, is not empty and was not made by this script; set NIXWIRE_NIX_MODERN_PREFIX or remove it"
  fi
  mkdir -p "$(dirname "$p")"
  staging="$(mktemp -d "$p.staging.XXXXXX")"
  TMPDIRS+=("$staging")
  work="$(mktemp -d -t nixwire-apt.XXXXXX)"
  TMPDIRS+=("$work")
  mirror="$(debian_mirror)"
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/cache"
  : >"$work/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $MODERN_SUITE main" >"$work/sources.list"
  local apt=(apt-get -q
    -oDir::Etc::SourceList="$work/sources.list"
    -oDir::Etc::SourceParts=/dev/null
    -oDir::Etc::Preferences=/dev/null
    -oDir::Etc::PreferencesParts=/dev/null
    -oDir::State::Lists="$work/lists"
    -oDir::State::status="$work/status"
    -oDir::Cache="$work/cache"
    -oDir::Cache::archives="$work/archives"
    -oAPT::Install-Recommends=false
    -oAPT::Install-Suggests=false
    -oAPT::Get::List-Cleanup=false)
  echo "using mirror $mirror ($MODERN_SUITE)" >>"$LOG"
  run "${apt[@]}" update
  run "${apt[@]}" install --download-only -y nix-bin
  local deb n=0
  for deb in "$work/archives"/*.deb; do
    [ -f "$deb" ] || continue
    run dpkg -x "$deb" "$staging"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || die "apt-get downloaded no packages for nix-bin from $mirror $MODERN_SUITE"
  (cd "$work/archives" && ls -1 ./*.deb) >"$staging/$MARKER"
  # Replace an earlier (broken) install made by this script, keeping nothing.
  if [ -e "$p" ]; then
    rm -rf -- "$p"
  fi
  mv "$staging" "$p"
  MODERN_INSTALLED_PACKAGES="$n"
}

# write_if_changed FILE MODE: writes stdin to FILE when its content differs.
write_if_changed() {
  local file="$1" mode="$2" content
  content="$(cat)"
  if [ -f "$file" ] && [ "$(cat "$file")" = "$content" ] && [ -x "$file" ]; then
    return 0
  fi
  need_root "writing $file"
  printf '%s\n' "$content" >"$file.tmp.$$"
  chmod "$mode" "$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
}

write_wrapper() {
  local p="$1" name="$2" argv0="$3" triplet loader libs
  triplet="$(multiarch_triplet)"
  loader="$(find_loader "$p" "$triplet")" || die "no dynamic loader in $p"
  libs="$(library_path "$p" "$triplet")"
  write_if_changed "$p/bin/$name" 0755 <<EOF
#!/bin/sh
# Written by nixwire's scripts/install-nix.sh: runs Debian trixie's Nix
# (unpacked in $p) as '$argv0' through the prefix's own loader and
# libraries, with a private store root so that the system's Nix 2.8 database
# in /nix/var is never touched. Store paths are still named /nix/store/...;
# their files live under $p/state/root/nix/store.
# Because that store is "diverted", Nix always builds in a chroot whatever
# 'sandbox' says; sandbox-paths gives builders such as /bin/sh the host's
# programs and libraries.
# Settings from the caller's NIX_CONFIG are applied after these.
P='$p'
NIX_CONFIG="store = local?root=\$P/state/root
build-users-group =
sandbox = false
substituters =
trusted-substituters =
sandbox-paths = /bin? /usr? /lib? /lib64?
build-hook =
builders =
experimental-features = nix-command\${NIX_CONFIG:+
\$NIX_CONFIG}"
NIX_CONF_DIR="\$P/state/etc"
NIX_USER_CONF_FILES="\$P/state/etc/user-nix.conf"
NIX_STATE_DIR="\$P/state/root/nix/var/nix"
NIX_LOG_DIR="\$P/state/root/nix/var/log/nix"
NIX_DATA_DIR="\$P/usr/share"
NIX_BIN_DIR="\$P/bin"
export NIX_CONFIG NIX_CONF_DIR NIX_USER_CONF_FILES NIX_STATE_DIR NIX_LOG_DIR NIX_DATA_DIR NIX_BIN_DIR
exec '$loader' --argv0 '$argv0' --library-path '$libs' "\$P/usr/bin/nix" "\$@"
EOF
}

install_modern() {
  local p="$MODERN_PREFIX" v
  case "$p" in
  /*) ;;
  *) die "NIXWIRE_NIX_MODERN_PREFIX must be an absolute path, got '$p'" ;;
  esac
  v="$(modern_version "$p")"
  case "$v" in
  "$MODERN_SERIES".*) ;;
  *)
    unpack_modern "$p"
    v="$(modern_version "$p")"
    case "$v" in
    "$MODERN_SERIES".*) ;;
    *) die "the Nix unpacked into $p reports '${v:-nothing}', want $MODERN_SERIES.x" ;;
    esac
    ;;
  esac
  if [ ! -d "$p/bin" ] || [ ! -d "$p/state/etc" ] || [ ! -d "$p/state/root/nix/store" ]; then
    need_root "creating $p/bin and $p/state"
    mkdir -p "$p/bin" "$p/state/etc" "$p/state/root/nix/store" "$p/state/root/nix/var/nix"
  fi
  write_wrapper "$p" nix-daemon-modern nix-daemon
  write_wrapper "$p" nix-store-modern nix-store
  write_wrapper "$p" nix-modern nix
  if [ ! -e "$p/state/root/nix/var/nix/db/db.sqlite" ]; then
    need_root "initialising $p/state/root"
    run "$p/bin/nix-store-modern" --init
  fi
  MODERN_VERSION="$(version_of "$p/bin/nix-daemon-modern")"
  case "$MODERN_VERSION" in
  "$MODERN_SERIES".*) ;;
  *) die "$p/bin/nix-daemon-modern reports '${MODERN_VERSION:-nothing}', want $MODERN_SERIES.x" ;;
  esac
}

LEGACY_VERSION=""
MODERN_VERSION=""
MODERN_INSTALLED_PACKAGES=""
install_legacy
install_modern
echo "install-nix: nix-daemon $LEGACY_VERSION ($(command -v nix-daemon), protocol 1.34); nix-daemon-modern $MODERN_VERSION ($MODERN_PREFIX/bin/nix-daemon-modern, protocol 1.38${MODERN_INSTALLED_PACKAGES:+, just unpacked from $MODERN_INSTALLED_PACKAGES trixie packages})"
