#!/bin/sh
# install_test.sh - make install with PREFIX and DESTDIR lays out the plugin, its
# manifest and notes, the binaries, plugin.h, a working kkp.pc, man pages and bash
# completion; the installed binaries find their plugin folder relative to themselves
# (no --plugin-dir, no KKP_PLUGIN_PATH), also once the tree is moved; make uninstall
# removes every file it put there; install builds no test program.
. tests/lib/preamble.sh
make -s install BUILD="$BUILD" SAN="${SAN:-}" PREFIX=/opt/kkp DESTDIR="$tmp" >"$tmp/log" 2>&1
equals "make install succeeds" "$?" 0
root="$tmp/opt/kkp"
for f in lib/kkp/plugins/aircall.so lib/kkp/plugins/aircall.json lib/kkp/plugins/aircall.md \
  bin/kkp-host bin/kkp-setup bin/aircall-sim include/kkp/plugin.h lib/pkgconfig/kkp.pc \
  share/man/man1/kkp-host.1 share/man/man1/kkp-setup.1 share/man/man1/aircall-sim.1 \
  share/bash-completion/completions/kkp-host share/bash-completion/completions/kkp-setup; do
  check "installed $f" test -f "$root/$f"
done
equals "the plugin is not group/world-writable" "$(stat -c %a "$root/lib/kkp/plugins/aircall.so")" 755
check "the installed manifest is manifest/aircall.json" cmp -s manifest/aircall.json "$root/lib/kkp/plugins/aircall.json"
pc() { PKG_CONFIG_PATH="$root/lib/pkgconfig" pkg-config "$@" kkp; }
equals "pkg-config --cflags kkp" "$(pc --cflags | sed "s/ *$//")" "-I/opt/kkp/include/kkp"
equals "pkg-config plugindir" "$(pc --variable=plugindir)" "/opt/kkp/lib/kkp/plugins"
out=$(KOSMO_HOME="$tmp/home" "$root/bin/kkp-host" --plugin-dir "$root/lib/kkp/plugins" list 2>&1)
contains "kkp-host lists the installed plugin" "$out" "aircall 0.1.0  8 functions (6 read, 2 write)"

# Relocatable: the plugin folder is found from the binary's own place.
unset KKP_PLUGIN_PATH
out=$(KOSMO_HOME="$tmp/home" "$root/bin/kkp-host" list 2>&1)
contains "installed kkp-host finds its plugin with no --plugin-dir nor KKP_PLUGIN_PATH" "$out" \
  "aircall 0.1.0  8 functions (6 read, 2 write)  auth: oauth2_manual_token (also basic)  $root/lib/kkp/plugins"
mv "$tmp/opt" "$tmp/moved"
moved="$tmp/moved/kkp"
out=$(KOSMO_HOME="$tmp/home" "$moved/bin/kkp-host" list 2>&1)
contains "a moved tree: kkp-host finds the plugin in its new place" "$out" "$moved/lib/kkp/plugins"
out=$(cd "$moved/bin" && KOSMO_HOME="$tmp/home" ./kkp-host describe aircall 2>&1)
contains "run by a relative path: describe finds the plugin" "$out" "manifest: $moved/lib/kkp/plugins/aircall.json"
ln -s "$moved/bin/kkp-host" "$tmp/kkp-host-link"
out=$(KOSMO_HOME="$tmp/home" "$tmp/kkp-host-link" list 2>&1)
contains "through a symbolic link: the link's target decides" "$out" "$moved/lib/kkp/plugins"
out=$(KOSMO_HOME="$tmp/home" "$moved/bin/kkp-host" --help)
contains "--help names the folder beside the binary" "$out" "../lib/kkp/plugins beside the kkp-host binary"
mv "$tmp/moved" "$tmp/opt"

# --version on every binary, COMMAND --help on kkp-host.
for b in kkp-host kkp-setup aircall-sim; do
  out=$("$root/bin/$b" --version 2>&1)
  equals "$b --version exits 0" "$?" 0
  contains "$b --version names it and the version" "$out" "$b 0.1.0"
done
for c in list describe call check lua doc; do
  out=$("$root/bin/kkp-host" "$c" --help 2>&1)
  contains "kkp-host $c --help prints that command's help" "$out" "usage: kkp-host $c"
done
out=$("$root/bin/kkp-host" call aircall.list_calls --help 2>&1)
contains "--help after a command's arguments still helps" "$out" "usage: kkp-host call"
out=$("$root/bin/kkp-host" chek aircall 2>&1); rc=$?
equals "a mistyped command is a usage error" "$rc" 2
contains "a mistyped command gets a did-you-mean" "$out" "Did you mean: check"

# Man pages render without a warning.
for m in kkp-host kkp-setup aircall-sim; do
  page="$root/share/man/man1/$m.1"
  warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  equals "man page $m.1 renders without warnings" "$warn" ""
  contains "man page $m.1 has its name" "$(MANWIDTH=80 man -l "$page" 2>/dev/null | tr "\t" " " | tr -s " ")" "$m - "
done
printf '.TH X 1\n.SH NAME\n.BADMACRO x\n' >"$tmp/bad.1"
check "the warning check does catch a bad page" test -n "$(MANWIDTH=80 man --warnings -l "$tmp/bad.1" 2>&1 >/dev/null)"

# Bash completion: loads, registers, completes commands, plugins and functions.
comp="$root/share/bash-completion/completions"
check "kkp-host completion passes bash -n" bash -n "$comp/kkp-host"
check "kkp-setup completion passes bash -n" bash -n "$comp/kkp-setup"
complete_words() { # FILE WORDS... : the completions of the last word
  f=$1; shift
  KOSMO_HOME="$tmp/home" PATH="$root/bin:$PATH" bash -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/")
    "$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$f" "$@"
}
contains "complete -p registers kkp-host" "$(bash -c ". '$comp/kkp-host'; complete -p kkp-host")" "-F _kkp_host kkp-host"
equals "kkp-host c<TAB>: call check" "$(complete_words "$comp/kkp-host" kkp-host c | tr '\n' ' ')" "call check "
equals "kkp-host describe a<TAB>: the installed plugin" "$(complete_words "$comp/kkp-host" kkp-host describe a)" "aircall"
contains "kkp-host call aircall.list_<TAB>: its functions" \
  "$(complete_words "$comp/kkp-host" kkp-host call aircall.list_ | tr '\n' ' ')" "aircall.list_calls aircall.list_contacts"
equals "kkp-host --pass<TAB>" "$(complete_words "$comp/kkp-host" kkp-host --pass)" "--passphrase-file"
equals "kkp-setup a<TAB>: add" "$(complete_words "$comp/kkp-setup" kkp-setup a)" "add"
equals "kkp-setup add air<TAB>: the installed plugin" "$(complete_words "$comp/kkp-setup" kkp-setup add air)" "aircall"
contains "kkp-setup list --<TAB> offers --json" "$(complete_words "$comp/kkp-setup" kkp-setup list --)" "--json"

# uninstall removes exactly what install put there: no file is left, only folders.
make -s uninstall PREFIX=/opt/kkp DESTDIR="$tmp" >"$tmp/log2" 2>&1
equals "make uninstall succeeds" "$?" 0
equals "no file is left after uninstall" "$(find "$tmp/opt" ! -type d)" ""
check "the plugin folder of our own is gone" test ! -e "$root/lib/kkp"
check "a folder shared with others (bin) stays" test -d "$root/bin"
mkdir -p "$tmp/shared/bin" && echo keep >"$tmp/shared/bin/other-tool"
make -s install BUILD="$BUILD" SAN="${SAN:-}" PREFIX=/ DESTDIR="$tmp/shared" >/dev/null 2>&1 &&
  make -s uninstall PREFIX=/ DESTDIR="$tmp/shared" >/dev/null 2>&1
equals "uninstall leaves others' files alone" "$(find "$tmp/shared" ! -type d)" "$tmp/shared/bin/other-tool"

# install builds only what users run: no test program, no cmocka; without libmicrohttpd
# aircall-sim is skipped with a message.
plan=$(make -n install BUILD="$tmp/fresh" PREFIX=/opt/kkp DESTDIR="$tmp/d" 2>&1)
lacks "make install builds no test program" "$plan" "tests/"
lacks "make install does not link cmocka" "$plan" "cmocka"
plan=$(PKG_CONFIG_LIBDIR="$tmp/nowhere" make -n install BUILD="$tmp/fresh" PREFIX=/opt/kkp DESTDIR="$tmp/d" 2>&1)
contains "without libmicrohttpd install says it skips aircall-sim" "$plan" "skipping aircall-sim"
lacks "without libmicrohttpd aircall-sim is not built" "$plan" "sim/server.c"
tap_done
