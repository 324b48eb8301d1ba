#!/usr/bin/env bash
# The headers compile without a warning under the strictest flags a consumer
# may build with, -Werror, as C++14, C++17 and C++20. Two translation units:
# one including every public header (found here, so a new header is covered
# at once) and test/lint/strict_uses.cpp, which instantiates the templates
# users instantiate (a template's warnings show only then).
#
#   strict_warnings.sh SOURCE_ROOT COMPILER_ID COMPILER... [-- EXTRA_FLAGS...]
#
# COMPILER_ID is meson's: gcc or clang (`c++ --version` does not always say).
#
# g++ gets -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
# -Wold-style-cast -Wundef -Wcast-align -Wnull-dereference; clang++ gets
# -Weverything minus the C++98-compatibility and padding groups.
set -euo pipefail
root=$1 id=$2
shift 2
compiler=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  compiler+=("$1")
  shift
done
[ $# -gt 0 ] && shift
extra=("$@")

if [ "$id" = clang ]; then
  flags=(-Weverything -Wno-c++98-compat -Wno-c++98-compat-pedantic -Wno-padded)
elif [ "$id" = gcc ]; then
  flags=(-Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wold-style-cast -Wundef
    -Wcast-align -Wnull-dereference)
else
  echo "SKIP: the strict warning sets are written for g++ and clang++, not for $id: ${compiler[*]}"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
headers=$(cd "$root/include" && find pollen -name '*.hpp' | LC_ALL=C sort)
count=$(printf '%s\n' "$headers" | grep -c . || true)
if [ "$count" -lt 50 ]; then
  echo "FAIL: found only $count public headers under $root/include: is the source root right?"
  exit 1
fi
{
  printf '#include <%s>\n' $headers
  echo 'int main() { return 0; }'
} > "$tmp/every_header.cpp"

status=0
for std in c++14 c++17 c++20; do
  for tu in "$tmp/every_header.cpp" "$root/test/lint/strict_uses.cpp"; do
    if ! "${compiler[@]}" -std=$std -fsyntax-only -Werror "${flags[@]}" ${extra[@]+"${extra[@]}"} \
        -I"$root/include" "$tu" 2> "$tmp/out"; then
      echo "FAIL: $(basename "$tu") as $std with ${compiler[*]} ${extra[*]-}:"
      head -n 40 "$tmp/out"
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "OK: $count headers and strict_uses.cpp, C++14/17/20, no warning with: ${flags[*]}"
exit $status
