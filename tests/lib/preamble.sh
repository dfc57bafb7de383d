# preamble.sh - the setup every shell test shares, sourced as its first command:
#   . tests/lib/preamble.sh
# It turns on set -u, defaults BUILD to build, brings the TAP assertions (tap.sh), the
# simulator's helpers (sim.sh) and the test certificates' (tls.sh), and makes $tmp, a private
# temporary directory. At exit, INT or TERM included, it runs what the test registered with
# `at_exit CMD` (the last registered first), stops a simulator still running and removes the
# directory (even when the test made parts of it unreadable, or pointed tmp elsewhere).
set -u
BUILD=${BUILD:-build}
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/tls.sh
_preamble_tmp=$(mktemp -d "${TMPDIR:-/tmp}/kkp-test.XXXXXX") || exit 1
tmp=$_preamble_tmp
_preamble_hooks=
at_exit() {
  _preamble_hooks="$1
$_preamble_hooks"
}
_preamble_exit() {
  eval "$_preamble_hooks"
  sim_stop
  chmod -R u+rwx "$_preamble_tmp" 2>/dev/null
  rm -rf "$_preamble_tmp"
}
# kkp_install: installs the built binaries and plugin as a user would (make install into
# $tmp with PREFIX /opt/kkp) and sets KKP_BIN to their bin folder; the binaries find the
# plugin folder beside themselves. Ends the test with "not ok" when the install fails.
kkp_install() {
  make -s install BUILD="$BUILD" SAN="${SAN:-}" PREFIX=/opt/kkp DESTDIR="$tmp" >"$tmp/install.log" 2>&1 ||
    { not_ok "make install" "$(tail -5 "$tmp/install.log")"; tap_done; exit 1; }
  KKP_BIN="$tmp/opt/kkp/bin"
}
trap _preamble_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
