#!/usr/bin/env bash
# The compiled library needs no fmt: a shared libpollen names no libfmt
# among the libraries it needs (readelf -d, NEEDED), and no build of it,
# static or shared, has a symbol of fmt's, defined (fmt code compiled in
# from its headers) or undefined (fmt code it calls).
#
#   library_needs_no_fmt.sh LIBRARY_FILE
set -euo pipefail
lib=${1:?usage: library_needs_no_fmt.sh LIBRARY_FILE}
case "$lib" in
  *.so*)
    needed=$(readelf -d "$lib" | grep '(NEEDED)' || true)
    echo "$needed"
    if grep -q 'libfmt' <<<"$needed"; then
      echo "FAIL: $lib needs libfmt (readelf -d); only <pollen/fmt.hpp> users should need fmt"; exit 1
    fi
    syms=$(nm -D -C "$lib")
    ;;
  *)
    syms=$(nm -C "$lib" 2>/dev/null)
    ;;
esac
fmt_syms=$(grep -E ' fmt::' <<<"$syms" || true)
if [ -n "$fmt_syms" ]; then
  head -20 <<<"$fmt_syms"
  echo "FAIL: $lib has $(wc -l <<<"$fmt_syms") symbols of fmt's (first 20 above); the library must format with src/format.hpp"
  exit 1
fi
echo "ok: $(basename "$lib") needs no libfmt and has no fmt symbols"
