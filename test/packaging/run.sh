#!/usr/bin/env bash
# Packaging test: pollen used by another project, as a meson subproject and
# installed with pkg-config. Each way builds two programs: core_consumer
# with 'pollen' only, with fmt's headers replaced by #errors first on its
# include path (no_fmt.sh) and no libfmt loaded, and consumer with
# 'pollen-fmt' (pollen and fmt), which formats a future with fmt::print.
#
#   run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH
#
# The subproject half configures test/packaging/consumer with pollen in its
# subprojects/ and builds it: pollen's library is compiled there once more
# (that is what it tests), in a plain build (no debug info: cheaper). The
# pkg-config half installs this meson build (no rebuild) with --destdir into
# a temporary directory and compiles the consumer with
# `pkg-config --cflags --libs pollen`: nothing of pollen is compiled again.
# Its Cflags must carry POLLEN_HAS_EXCEPTIONS=0 when this build has
# CPP_EH=none (and only then): the consumer is compiled with exceptions, as
# its users' code may be, and must still match the library's mode.
# Its installed library is only usable by a program built with the same
# sanitizer, so that half is skipped in a sanitizer build.
set -euo pipefail
root=${1:?usage: run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH}
build=${2:?usage: run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH}
prefix=${3:?usage: run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH}
sanitize=${4:?usage: run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH}
cpp_eh=${5:?usage: run.sh SOURCE_ROOT BUILD_ROOT PREFIX SANITIZE CPP_EH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run LOG CMD...: runs CMD quietly (niced), shows its output if it fails.
run() {
  local log=$1; shift
  if ! nice -n 10 "$@" > "$log" 2>&1; then
    cat "$log"
    echo "FAIL: $*"
    exit 1
  fi
}

# no_libfmt PROGRAM: PROGRAM loads no libfmt (ldd, with the environment it runs in).
no_libfmt() {
  if ldd "$1" | grep -q libfmt; then
    ldd "$1"; echo "FAIL: $1 uses only pollen's core and loads libfmt"; exit 1
  fi
}

echo "== as a meson subproject"
cp -r "$root/test/packaging/consumer" "$tmp/consumer"
bash "$root/test/packaging/no_fmt.sh" "$tmp/consumer/no_fmt"
mkdir "$tmp/consumer/subprojects"
ln -s "$root" "$tmp/consumer/subprojects/pollen"
run "$tmp/setup.log" meson setup "$tmp/sub-build" "$tmp/consumer" --buildtype=plain
run "$tmp/ninja.log" ninja -C "$tmp/sub-build" consumer core_consumer
# Its own libpollen (through its RUNPATH), not the one of this build that
# meson test puts on LD_LIBRARY_PATH, which overrides RUNPATH.
env -u LD_LIBRARY_PATH "$tmp/sub-build/consumer"
env -u LD_LIBRARY_PATH "$tmp/sub-build/core_consumer"
(unset LD_LIBRARY_PATH; no_libfmt "$tmp/sub-build/core_consumer")
# pollen's tests and examples are off inside someone else's build.
if meson introspect --targets "$tmp/sub-build" | grep -q '"name": "core_poll_test"'; then
  echo "FAIL: pollen's tests were configured inside the consumer's build"; exit 1
fi
if meson introspect --targets "$tmp/sub-build" | grep -q '"name": "tour"'; then
  echo "FAIL: pollen's examples were configured inside the consumer's build"; exit 1
fi
echo "ok: dependency('pollen') without fmt and dependency('pollen-fmt') build and run; tests and examples off"

echo "== installed (meson install --destdir), found with pkg-config"
if [ "$sanitize" != none ]; then
  echo "SKIP: this build uses -fsanitize=$sanitize; its installed library needs a consumer built with the same sanitizer"
  exit 0
fi
run "$tmp/install.log" meson install -C "$build" --no-rebuild --destdir "$tmp/dest"
dest_prefix=$tmp/dest$prefix
test -f "$dest_prefix/include/pollen/pollen.hpp"
pc=$(find "$dest_prefix" -path '*/pkgconfig/pollen.pc')
[ -n "$pc" ] || { echo "FAIL: no pkgconfig/pollen.pc under $dest_prefix"; exit 1; }
echo "installed: ${pc#"$tmp/dest"}"
# The .pc names its directories relative to prefix=PREFIX: a copy that
# points into the destdir (only pollen's, not fmt's, as --define-variable
# would) stands for the installation.
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$dest_prefix|" "$pc" > "$tmp/pc/pollen.pc"
[ -f "$(dirname "$pc")/pollen-fmt.pc" ] || { echo "FAIL: no pkgconfig/pollen-fmt.pc next to pollen.pc"; exit 1; }
sed "s|^prefix=.*|prefix=$dest_prefix|" "$(dirname "$pc")/pollen-fmt.pc" > "$tmp/pc/pollen-fmt.pc"
export PKG_CONFIG_PATH="$tmp/pc"
case "$(pkg-config --variable=libdir pollen)" in
  "$tmp/dest"/*) ;;
  *) echo "FAIL: pollen.pc does not name its libdir relative to its prefix:"; cat "$pc"; exit 1 ;;
esac
cflags=" $(pkg-config --cflags pollen) "
echo "pkg-config --cflags pollen:$cflags"
if [ "$cpp_eh" = none ]; then
  [[ "$cflags" == *" -DPOLLEN_HAS_EXCEPTIONS=0 "* ]] || { echo "FAIL: a library built with -Dcpp_eh=none needs -DPOLLEN_HAS_EXCEPTIONS=0 in pollen.pc's Cflags"; exit 1; }
else
  [[ "$cflags" != *POLLEN_HAS_EXCEPTIONS* ]] || { echo "FAIL: a library built with exceptions has POLLEN_HAS_EXCEPTIONS in pollen.pc's Cflags"; exit 1; }
fi
# pollen alone: no fmt in its flags, none on the include path (no_fmt.sh
# first), no -lfmt.
flags=" $(pkg-config --cflags --libs pollen) "
[[ "$flags" != *fmt* ]] || { echo "FAIL: pkg-config --cflags --libs pollen names fmt:$flags"; exit 1; }
bash "$root/test/packaging/no_fmt.sh" "$tmp/no_fmt"
# shellcheck disable=SC2046,SC2086  # CXX may be "ccache c++"
run "$tmp/compile.log" ${CXX:-c++} -std=c++14 -I"$tmp/no_fmt" "$root/test/packaging/consumer/core_consumer.cpp" \
  -o "$tmp/pc-core-consumer" $flags
# pollen-fmt: pollen and fmt.
# shellcheck disable=SC2046,SC2086
run "$tmp/compile-fmt.log" ${CXX:-c++} -std=c++14 "$root/test/packaging/consumer/consumer.cpp" -o "$tmp/pc-consumer" \
  $(pkg-config --cflags --libs pollen-fmt)
# The installed library, not the build tree's one that meson test puts on LD_LIBRARY_PATH.
export LD_LIBRARY_PATH
LD_LIBRARY_PATH=$(pkg-config --variable=libdir pollen)
for p in "$tmp/pc-core-consumer" "$tmp/pc-consumer"; do
  ldd "$p" | grep -q "libpollen.* => $tmp/dest" || { ldd "$p"; echo "FAIL: $p does not load the installed libpollen"; exit 1; }
  "$p"
done
no_libfmt "$tmp/pc-core-consumer"
echo "ok: installed headers, library, pollen.pc (no fmt) and pollen-fmt.pc work (Cflags match -Dcpp_eh=$cpp_eh)"
