#!/bin/sh
# install_test.sh - make install with PREFIX and DESTDIR lays out the plugin, its
# manifest and notes, the binaries, plugin.h and a working kkp.pc.
. tests/lib/tap.sh
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s install BUILD="$BUILD" SAN="${SAN:-}" PREFIX=/opt/kkp DESTDIR="$tmp" >"$tmp/log" 2>&1
equals "make install succeeds" "$?" 0
root="$tmp/opt/kkp"
for f in lib/kkp/plugins/aircall.so lib/kkp/plugins/aircall.json lib/kkp/plugins/aircall.md \
  bin/kkp-host bin/kkp-setup bin/aircall-sim include/kkp/plugin.h lib/pkgconfig/kkp.pc; do
  check "installed $f" test -f "$root/$f"
done
equals "the plugin is not group/world-writable" "$(stat -c %a "$root/lib/kkp/plugins/aircall.so")" 755
check "the installed manifest is manifest/aircall.json" cmp -s manifest/aircall.json "$root/lib/kkp/plugins/aircall.json"
pc() { PKG_CONFIG_PATH="$root/lib/pkgconfig" pkg-config "$@" kkp; }
equals "pkg-config --cflags kkp" "$(pc --cflags | sed "s/ *$//")" "-I/opt/kkp/include/kkp"
equals "pkg-config plugindir" "$(pc --variable=plugindir)" "/opt/kkp/lib/kkp/plugins"
out=$(KOSMO_HOME="$tmp/home" "$root/bin/kkp-host" --plugin-dir "$root/lib/kkp/plugins" list 2>&1)
contains "kkp-host lists the installed plugin" "$out" "aircall 0.1.0  8 functions (6 read, 2 write)"
tap_done
