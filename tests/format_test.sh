#!/bin/sh
# format_test.sh - every C file of the project is laid out as the checked-in .clang-format
# says (STYLE.md): `make format` rewrites them; this only checks, one assertion per file.
. tests/lib/preamble.sh
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else
  files=$(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
fi
for f in $files; do
  out=$(clang-format --dry-run -Werror "$f" 2>&1)
  if [ -z "$out" ]; then ok "$f is formatted"; else not_ok "$f is formatted (run: make format)" "$(printf %s "$out" | head -n 6)"; fi
done
tap_done
