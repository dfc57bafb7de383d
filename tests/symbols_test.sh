#!/bin/sh
# symbols_test.sh - aircall.so exports kkp_plugin_entry and nothing else of ours
# (docs/SPEC.md §1): the keystore and every internal stay hidden.
. tests/lib/preamble.sh
syms=$(nm -D --defined-only "$BUILD/aircall.so" | awk '{print $3}' | sort | tr '\n' ' ')
equals "the only defined dynamic symbol is kkp_plugin_entry" "$syms" "kkp_plugin_entry "
kind=$(nm -D --defined-only "$BUILD/aircall.so" | awk '$3 == "kkp_plugin_entry" {print $2}')
equals "kkp_plugin_entry is a function (dlsym promises nothing for data)" "$kind" "T"
tap_done
