#!/bin/sh
# The plugin's integration tests again, under valgrind: any invalid access or
# leaked block fails the run (exit 99), so "zero leaks" is checked, not claimed.
VALGRIND="valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --quiet"
export VALGRIND
exec sh tests/integration/run.sh
