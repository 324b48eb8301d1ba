#!/usr/bin/env bash
# Code built with exceptions and code built without them do not link
# together, and the linker's message names the fix. A small program is
# linked against this build's library twice: compiled in the library's mode
# it links and runs; compiled in the other mode it must fail to link with an
# undefined symbol that says how to configure pollen (see the end of
# <pollen/config.hpp>).
#
#   build_mode_link.sh INCLUDE_DIR LIBRARY MODE(exc|noexc) COMPILER...
set -euo pipefail
inc=$1 lib=$2 mode=$3
shift 3
compiler=("$@")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/main.cpp" <<'CPP'
#include <pollen/pollen.hpp>
int main() { return pollen::block_on(pollen::ready(7)) == 7 ? 0 : 1; }
CPP

exc_flags=()
noexc_flags=(-fno-exceptions -fno-rtti)
if [ "$mode" = exc ]; then
  same=("${exc_flags[@]}") other=("${noexc_flags[@]}")
  hint=pollen_code_built_without_exceptions_needs_pollen_configured_with_Dcpp_eh_none
else
  same=("${noexc_flags[@]}") other=("${exc_flags[@]}")
  hint=pollen_code_built_with_exceptions_needs_pollen_configured_without_Dcpp_eh_none
fi
link() {  # link OUTPUT FLAGS...
  local out=$1
  shift
  "${compiler[@]}" -std=c++14 "$@" -I"$inc" "$tmp/main.cpp" "$lib" -Wl,-rpath,"$(dirname "$lib")" \
    -pthread -o "$out"
}

if ! link "$tmp/same" ${same[@]+"${same[@]}"} > "$tmp/out" 2>&1; then
  echo "FAIL: a program built in the library's own mode ($mode) did not link:"
  head -n 30 "$tmp/out"
  exit 1
fi
if ! "$tmp/same"; then
  echo "FAIL: a program built in the library's own mode ($mode) linked but did not run right"
  exit 1
fi
if link "$tmp/other" ${other[@]+"${other[@]}"} > "$tmp/out" 2>&1; then
  echo "FAIL: a program built in the other mode linked against a library built with mode $mode"
  exit 1
fi
if ! grep -q "$hint" "$tmp/out"; then
  echo "FAIL: the link failed, but its message does not name the fix ($hint):"
  head -n 30 "$tmp/out"
  exit 1
fi
echo "OK: the $mode library links in its own mode; the other mode fails with:"
grep -m1 "$hint" "$tmp/out"
