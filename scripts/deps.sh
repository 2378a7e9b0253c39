#!/bin/sh
# Install the Debian packages bpfrt needs to build and test, if missing.
# Run as root on Debian 12 (or with sudo available). Idempotent and quiet
# when everything is already there.
set -e

# Required: the toolchain and the libraries made for the job.
required="make gcc libc6-dev pkg-config clang llvm libelf-dev libbpf-dev libpcap-dev libjson-c-dev python3"
# Optional: newer clang/llvm for -mcpu=v4 tests; skipped where unavailable.
optional="clang-19 llvm-19"

missing=""
for p in $required; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
opt_missing=""
for p in $optional; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || opt_missing="$opt_missing $p"
done
[ -z "$missing$opt_missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing:$missing$opt_missing" >&2
$SUDO apt-get update -qq >/dev/null
if [ -n "$missing" ]; then
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
for p in $opt_missing; do
	$SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
		echo "deps: optional package $p is not available; the tests that need it will be skipped" >&2
done
