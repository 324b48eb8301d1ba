#!/usr/bin/env bash
# Packaging test: pollen used by another project, as a meson subproject and
# installed with pkg-config. Usage: run.sh SOURCE_ROOT
set -euo pipefail
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== as a meson subproject"
cp -r "$root/test/packaging/consumer" "$tmp/consumer"
mkdir "$tmp/consumer/subprojects"
ln -s "$root" "$tmp/consumer/subprojects/pollen"
meson setup "$tmp/sub-build" "$tmp/consumer" > "$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/sub-build" > "$tmp/ninja.log" || { cat "$tmp/ninja.log"; exit 1; }
"$tmp/sub-build/consumer"
# pollen's tests and examples are off inside someone else's build.
if meson introspect --targets "$tmp/sub-build" | grep -q '"name": "core_poll_test"'; then
  echo "FAIL: pollen's tests were configured inside the consumer's build"; exit 1
fi
if meson introspect --targets "$tmp/sub-build" | grep -q '"name": "tour"'; then
  echo "FAIL: pollen's examples were configured inside the consumer's build"; exit 1
fi
echo "ok: dependency('pollen', fallback: 'pollen') builds and runs; tests and examples off"

echo "== installed, found with pkg-config"
meson setup "$tmp/inst-build" "$root" --prefix="$tmp/prefix" --libdir=lib \
  -Dtests=disabled -Dexamples=disabled > "$tmp/setup2.log" || { cat "$tmp/setup2.log"; exit 1; }
ninja -C "$tmp/inst-build" install > "$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
test -f "$tmp/prefix/include/pollen/pollen.hpp"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
${CXX:-c++} -std=c++14 "$root/test/packaging/consumer/consumer.cpp" -o "$tmp/pc-consumer" \
  $(pkg-config --cflags --libs pollen)
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/pc-consumer"
echo "ok: installed headers, library and pollen.pc work"
