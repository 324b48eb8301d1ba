#!/usr/bin/env bash
# What including pollen costs a translation unit, in preprocessed lines
# (g++ -std=c++14 -E -P: the code the compiler has to read, blank lines and
# line markers left out). test/lint/include_budget.txt records, per header,
# the count when the budget was last set; a header more than 5% over its
# budget fails, so that growth is seen and decided on, not discovered.
#
#   include_cost.sh SOURCE_ROOT COMPILER_ID COMPILER...
#
# Counts depend on the standard library: the budget is for g++ with the
# libstdc++ of Debian 12 (the CI machine); other compilers skip.
set -euo pipefail
root=$1 id=$2
shift 2
compiler=("$@")
if [ "$id" != gcc ]; then  # meson's compiler id
  echo "SKIP: the budget is counted with g++, not with $id: ${compiler[*]}"
  exit 77
fi
budget_file=$root/test/lint/include_budget.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
checked=0
while read -r header budget; do
  case $header in '' | '#'*) continue ;; esac
  printf '#include <%s>\n' "$header" > "$tmp/tu.cpp"
  if ! "${compiler[@]}" -std=c++14 -E -P -I"$root/include" "$tmp/tu.cpp" -o "$tmp/out.ii" 2> "$tmp/err"; then
    echo "FAIL: <$header> does not preprocess:"
    head -n 20 "$tmp/err"
    status=1
    continue
  fi
  lines=$(grep -c . "$tmp/out.ii" || true)
  checked=$((checked + 1))
  limit=$((budget + budget / 20))
  if [ "$lines" -gt "$limit" ]; then
    echo "FAIL: <$header> is $lines lines, over its budget of $budget (+5%). If the growth is wanted, set the new count in test/lint/include_budget.txt and say why in the commit."
    status=1
  else
    printf 'ok   %-34s %7d lines (budget %d)\n' "<$header>" "$lines" "$budget"
  fi
done < "$budget_file"
# <pollen/core.hpp> is the light header (the protocol, the leaf futures and
# block_on): none of the heavy standard headers may reach it, whatever its
# line count. -H lists every header read, one per line, dots for the depth.
light=pollen/core.hpp
heavy='string|vector|memory|mutex|condition_variable|thread|stdexcept|functional|deque|map|system_error|chrono|sstream|iostream|ostream'
# The TU also uses it, so that what core.hpp's templates need when they are
# instantiated is there too.
cat > "$tmp/tu.cpp" <<TU
#include <$light>
struct Countdown {
  using Output = int;
  int left;
  pollen::Poll<int> poll(pollen::Context& cx) {
    if (left == 0) return 42;
    --left;
    cx.waker().wake();
    return pollen::pending;
  }
};
int main() {
  int n = 0;
  int sum = pollen::block_on(Countdown{3}) + pollen::block_on(pollen::ready(1)) +
            pollen::block_on(pollen::lazy([] { return 2; })) +
            pollen::block_on(pollen::poll_fn([&n](pollen::Context& cx) -> pollen::Poll<int> {
              if (++n == 3) return n;
              cx.waker().wake();
              return pollen::pending;
            }));
  return sum == 48 ? 0 : 1;
}
TU
if "${compiler[@]}" -std=c++14 -H -fsyntax-only -I"$root/include" "$tmp/tu.cpp" 2> "$tmp/h.txt"; then
  found=$(sed -n 's/^\.* //p' "$tmp/h.txt" | grep -E "/c\+\+/[0-9]+/($heavy)\$" | sed 's|.*/||' | sort -u | tr '\n' ' ' || true)
  if [ -n "$found" ]; then
    echo "FAIL: <$light> must stay light, and it now includes <${found% }> (the path from it: g++ -H). Keep such headers out of core/ (declare std::string with <iosfwd>, move the code into src/)."
    status=1
  else
    echo "ok   <$light> includes none of: ${heavy//|/ }"
  fi
else
  echo "FAIL: <$light> does not compile:"
  head -n 20 "$tmp/h.txt"
  status=1
fi
if [ "$checked" -eq 0 ]; then
  echo "FAIL: no header checked: $budget_file lists none"
  exit 1
fi
exit $status
