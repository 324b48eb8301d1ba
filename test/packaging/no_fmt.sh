#!/usr/bin/env bash
# no_fmt.sh DIR: makes DIR an include directory in which every fmt header
# (fmt/core.h, fmt/format.h, ...) is an #error. Put first on a consumer's
# include path, it proves that the consumer, and the pollen headers it
# includes, use no fmt: fmt's own headers include each other with quotes,
# so every one of them is replaced, not only the two a program includes.
# Then checks that the replacement works (a file including <fmt/core.h>
# must not compile).
set -euo pipefail
dir=${1:?usage: no_fmt.sh DIR}
mkdir -p "$dir/fmt"
for h in args chrono color compile core format-inl format os ostream printf ranges std xchar; do
  printf '#error "fmt/%s.h included: this program must build without fmt"\n' "$h" > "$dir/fmt/$h.h"
done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <fmt/core.h>\nint main() { return 0; }\n' > "$probe/probe.cpp"
# shellcheck disable=SC2086  # CXX may be "ccache c++"
if ${CXX:-c++} -std=c++14 -fsyntax-only -I"$dir" "$probe/probe.cpp" > /dev/null 2>&1; then
  echo "FAIL: no_fmt.sh: <fmt/core.h> still compiles with -I$dir"; exit 1
fi
