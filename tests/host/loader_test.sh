#!/bin/sh
# loader_test.sh - kkp-host list/describe read manifests only; the loader refuses each
# bad plugin (fixtures under tests/host/fixtures/) with its own message and fix.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
FX="$BUILD/tests/host/fixtures"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH=

# refusal NAME "needle" "fix needle": calls NAME.echo and checks the message and status.
refusal() {
  err=$("$H" --plugin-dir "$2" call "$1.echo" 2>&1 >/dev/null)
  rc=$?
  equals "$1: refused with host error status 1" "$rc" 1
  contains "$1: message names the problem" "$err" "$3"
  contains "$1: message names the fix" "$err" "$4"
}

out=$("$H" --plugin-dir "$FX" call fixture.echo '{"text":"a"}')
equals "a well-formed fixture loads and answers" "$out" '{"account":"default","config":{},"args":{"text":"a"},"raw":"{\"text\":\"a\"}"}'

refusal orphan "$FX" "orphan.so is missing" "install orphan.so next to"
refusal nosym "$FX" "does not export kkp_plugin_entry" "define kkp_plugin_entry with default visibility"
refusal nullentry "$FX" "kkp_plugin_entry(1, 1) returned NULL" "install a version of the plugin built for ABI 1"
refusal major2 "$FX" "speaks ABI major 2 but this host speaks 1" "built against plugin.h ABI 1.x"
refusal small "$FX" "smaller than ABI 1.0's" "rebuild it against plugin.h ABI 1.x"
refusal noinvoke "$FX" "leaves a required ABI 1.0 function NULL" "fix and rebuild the plugin"
refusal mismatch "$FX" "disagrees with what the library's describe() returns" "install the mismatch.json that was built with this mismatch.so"

# A manifest that differs from describe() in one byte, at the same length: refused too
# (comparing lengths alone would load it).
mkdir -p "$tmp/onebyte"
cp "$FX/fixture.so" "$tmp/onebyte/"
sed 's/"title": "Fixture"/"title": "Fixturf"/' "$FX/fixture.json" >"$tmp/onebyte/fixture.json"
equals "the altered manifest has the same length" "$(wc -c <"$tmp/onebyte/fixture.json")" "$(wc -c <"$FX/fixture.json")"
check "and differs from the original" sh -c "! cmp -s '$tmp/onebyte/fixture.json' '$FX/fixture.json'"
refusal fixture "$tmp/onebyte" "disagrees with what the library's describe() returns" "install the fixture.json that was built with this fixture.so"
n=$(wc -c <"$FX/fixture.json" | tr -d ' ')
off=$(cmp "$tmp/onebyte/fixture.json" "$FX/fixture.json" | sed 's/.*byte \([0-9]*\),.*/\1/')
contains "it names the same length and the byte that differs" "$err" "($n bytes), first difference at byte $((off - 1))"

# Writable files: copies of the good fixture with the mode loosened.
mkdir -p "$tmp/gw" "$tmp/ww"
cp "$FX/fixture.so" "$FX/fixture.json" "$tmp/gw/"
cp "$FX/fixture.so" "$FX/fixture.json" "$tmp/ww/"
chmod 0775 "$tmp/gw/fixture.so"
chmod 0757 "$tmp/ww/fixture.so"
refusal fixture "$tmp/gw" "group-writable (mode 775)" "chmod go-w $tmp/gw/fixture.so"
refusal fixture "$tmp/ww" "world-writable (mode 757)" "chmod go-w $tmp/ww/fixture.so"
chmod 0755 "$tmp/gw/fixture.so"
check "the same library loads once the mode is fixed" sh -c '"$0" --plugin-dir "$1" call fixture.echo >/dev/null' "$H" "$tmp/gw"

# Not a regular file, not a library: each refused with its own message, none hangs.
mkdir -p "$tmp/fifo" "$tmp/elfless"
cp "$FX/fixture.json" "$tmp/fifo/"
mkfifo "$tmp/fifo/fixture.so"
err=$(timeout 10 "$H" --plugin-dir "$tmp/fifo" call fixture.echo 2>&1 >/dev/null)
equals "a FIFO as the library: refused, status 1 (no hang)" "$?" 1
contains "a FIFO as the library: says it is not a regular file" "$err" "is not a regular file"
cp "$FX/fixture.json" "$tmp/elfless/"
echo "not a shared object" >"$tmp/elfless/fixture.so"
chmod 0644 "$tmp/elfless/fixture.so"
err=$("$H" --plugin-dir "$tmp/elfless" call fixture.echo 2>&1 >/dev/null)
contains "a trusted file that is not a library: names it and the fix" "$err" \
  "cannot load plugin library $tmp/elfless/fixture.so"

# list and describe never dlopen: a "library" that is not even ELF still lists.
mkdir -p "$tmp/junk"
sed 's/"name": "fixture"/"name": "junk"/' "$FX/fixture.json" >"$tmp/junk/junk.json"
echo "not a shared object" >"$tmp/junk/junk.so"
chmod 0777 "$tmp/junk/junk.so"
out=$("$H" --plugin-dir "$tmp/junk" --plugin-dir "$FX" list 2>&1)
equals "list exits 0 with unloadable libraries about" "$?" 0
contains "list shows name, version, counts and auth" "$out" "fixture 0.0.1  4 functions (3 read, 1 write)  auth: none"
contains "list shows a plugin whose .so is absent" "$out" "orphan 0.0.1  4 functions (3 read, 1 write)"
contains "list marks the absent library" "$out" "[library missing]"
contains "list shows a plugin whose .so is not ELF (never loaded)" "$out" "junk 0.0.1"
contains "list shows a refused plugin too (manifest only)" "$out" "major2 0.0.1"
err=$("$H" --plugin-dir "$tmp/junk" call junk.echo 2>&1)
contains "the junk library fails only when a call loads it" "$err" "refusing plugin library"

out=$("$H" --plugin-dir "$FX" describe fixture)
contains "describe: header" "$out" "fixture 0.0.1  4 functions (3 read, 1 write)"
contains "describe: a function with its full name" "$out" "echo (read, also fixture_echo)"
contains "describe: a write function" "$out" "write_thing (write, also fixture_write_thing)"
contains "describe: a parameter with type and description" "$out" "count          integer            optional  Any integer"
contains "describe: no parameters" "$out" "parameters: none"
"$H" --plugin-dir "$FX" describe fixture --json >"$tmp/raw.json"
check "describe --json is the manifest byte for byte" cmp -s "$tmp/raw.json" tests/host/fixtures/fixture.json
"$H" --plugin-dir "$FX" describe orphan --json >/dev/null
equals "describe works without the library" "$?" 0
err=$("$H" --plugin-dir "$FX" describe nosuch 2>&1)
equals "describe of an unknown plugin: status 1" "$?" 1
contains "unknown plugin: names the folders searched and the fix" "$err" "no plugin named \"nosuch\": no nosuch.json in $FX"
contains "unknown plugin: says how to add a folder" "$err" "pass --plugin-dir DIR or set KKP_PLUGIN_PATH"

# Search order: --plugin-dir, then KKP_PLUGIN_PATH, then $KOSMO_HOME/plugins.
mkdir -p "$tmp/home/plugins" "$tmp/a" "$tmp/b"
cp "$FX/fixture.json" "$FX/fixture.so" "$tmp/home/plugins/"
out=$("$H" list 2>&1)
contains "\$KOSMO_HOME/plugins is searched" "$out" "fixture 0.0.1  4 functions (3 read, 1 write)  auth: none  $tmp/home/plugins"
sed 's/"version": "0.0.1"/"version": "0.0.2"/' "$FX/fixture.json" >"$tmp/a/fixture.json"
sed 's/"version": "0.0.1"/"version": "0.0.3"/' "$FX/fixture.json" >"$tmp/b/fixture.json"
out=$(KKP_PLUGIN_PATH="$tmp/a:$tmp/b" "$H" list 2>&1)
contains "KKP_PLUGIN_PATH comes before KOSMO_HOME, first entry first" "$out" "fixture 0.0.2"
out=$(KKP_PLUGIN_PATH="$tmp/a:$tmp/b" "$H" --plugin-dir "$tmp/b" list 2>&1)
contains "--plugin-dir comes first" "$out" "fixture 0.0.3"

out=$("$H" --help)
contains "--help documents the exit statuses" "$out" "3  invalid_argument"
contains "--help names the installed plugin folder" "$out" "/lib/kkp/plugins"
out=$("$H" --version)
contains "--version" "$out" "kkp-host 0.1.0 (plugin ABI 1.1)"
"$H" frobnicate >/dev/null 2>&1
equals "unknown command: usage status 2" "$?" 2
tap_done
