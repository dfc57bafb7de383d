#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need, when run as
# root; otherwise prints the exact apt-get line to run.
pkgs="gcc make pkg-config curl libcurl4-openssl-dev libjson-c-dev libsodium-dev \
liblua5.4-dev libmicrohttpd-dev libcmocka-dev valgrind openssl strace time man-db"
# The ThreadSanitizer build (make check TSAN=1) and make fuzz compile with clang and its runtimes.
pkgs="$pkgs clang libclang-rt-14-dev"
# tests/format_test.sh checks the layout with the checked-in .clang-format.
pkgs="$pkgs clang-format"
missing=""
# Node.js and npm run the MCP client tests (tests/mcp). A Node.js from another source
# (one that bundles npm and conflicts with Debian's npm package) counts as present.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
    echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
else
  echo "missing Debian packages. Run as root:" >&2
  echo "  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
