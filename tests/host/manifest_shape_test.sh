#!/bin/sh
# manifest_shape_test.sh - a manifest whose functions have the wrong JSON shapes (found
# by the manifest fuzz target) is refused with a message naming the field, by list,
# describe, doc and call alike; kkp-host never dies of a signal reading one.
. tests/lib/preamble.sh
H="$BUILD/kkp-host"
export KOSMO_HOME="$tmp/home" KKP_PLUGIN_PATH=

# shape NAME JSON "field": writes NAME.json alone in a folder and runs every reader of it.
shape() {
  mkdir -p "$tmp/$1"
  printf '%s' "$2" >"$tmp/$1/$1.json"
  for cmd in "describe $1" "describe $1 --json" "doc integrations.$1" "doc integrations.$1.f" "call $1.f"; do
    # shellcheck disable=SC2086
    err=$("$H" --plugin-dir "$tmp/$1" $cmd 2>&1 >/dev/null)
    equals "$1: $cmd: refused with host error status 1" "$?" 1
    contains "$1: $cmd: the message names the field" "$err" "$3"
  done
  out=$("$H" --plugin-dir "$tmp/$1" list 2>&1)
  equals "$1: list skips it (status 0)" "$?" 0
  contains "$1: list says why" "$out" "$3"
}

shape props_array '{"functions":[{"name":"f","parameters":{"properties":[1]}}]}' \
  'functions[0] has parameters.properties that are not an object'
shape props_null '{"functions":[{"name":"f","parameters":{"properties":null}}]}' \
  'functions[0] has parameters.properties that are not an object'
shape params_string '{"functions":[{"name":"g"},{"name":"f","parameters":"x"}]}' \
  'functions[1] has parameters that are not an object'
shape fn_number '{"functions":[7]}' 'functions[0] is not an object'
shape fn_unnamed '{"functions":[{"parameters":{}}]}' 'functions[0] has no name (a string)'
tap_done
