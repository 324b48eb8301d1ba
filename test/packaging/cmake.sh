#!/usr/bin/env bash
# Packaging test: pollen used by a CMake project (test/packaging/cmake_consumer).
#
#   cmake.sh install SOURCE_ROOT BUILD_ROOT PREFIX VERSION SANITIZE
#       installs this meson build (no rebuild) with --destdir into a temporary
#       directory, checks which versions its pollenConfigVersion.cmake accepts,
#       then configures, builds and runs the consumer with
#       find_package(pollen <major.minor> CONFIG REQUIRED) through
#       CMAKE_PREFIX_PATH: once with fmt hidden from find_package
#       (CMAKE_DISABLE_FIND_PACKAGE_fmt) and from core_consumer's include
#       path (no_fmt.sh), once with COMPONENTS fmt (pollen::fmt); checks that
#       COMPONENTS fmt without fmt fails with a message that says so and
#       that OPTIONAL_COMPONENTS fmt without fmt finds pollen
#   cmake.sh source SOURCE_ROOT
#       builds the consumer with pollen from the source tree through
#       FetchContent (a full CMake build of the library), and configures it
#       through add_subdirectory with fmt hidden from find_package
#
# CMAKE_BUILD_PARALLEL_LEVEL limits the build's jobs (all cores otherwise).
# Exit 77 (skipped): no cmake, or (install) a sanitizer build, whose library
# only a program built with the same sanitizer can load.
set -euo pipefail
mode=${1:?usage: cmake.sh install|source SOURCE_ROOT ...}
root=${2:?usage: cmake.sh install|source SOURCE_ROOT ...}

if ! command -v cmake >/dev/null; then
  echo "SKIP: cmake is not installed (scripts/dev deps installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}

# run LOG CMD...: runs CMD quietly (niced), shows its output if it fails.
run() {
  local log=$1; shift
  if ! nice -n 10 "$@" > "$log" 2>&1; then
    cat "$log"
    echo "FAIL: $*"
    exit 1
  fi
}

case "$mode" in
  install)
    build=${3:?} prefix=${4:?} version=${5:?} sanitize=${6:?}
    if [ "$sanitize" != none ]; then
      echo "SKIP: this build uses -fsanitize=$sanitize; its installed library needs a consumer built with the same sanitizer"
      exit 77
    fi
    echo "== installed (meson install --destdir), found with find_package"
    run "$tmp/install.log" meson install -C "$build" --no-rebuild --destdir "$tmp/dest"
    dest_prefix=$tmp/dest$prefix
    config=$(find "$dest_prefix" -path '*/cmake/pollen/pollenConfig.cmake')
    [ -n "$config" ] || { echo "FAIL: no cmake/pollen/pollenConfig.cmake under $dest_prefix"; exit 1; }
    test -f "$(dirname "$config")/pollenConfigVersion.cmake"
    echo "installed: ${config#"$tmp/dest"}"

    # Which requests the version file accepts: 0.y semantics (same minor).
    IFS=. read -r major minor patch <<<"$version"
    cases="$major.$minor:1 $major.$minor.$patch:1 $major:1 $major.$minor.$((patch + 1)):0"
    cases+=" $major.$((minor + 1)):0 $((major + 1)).0:0 $major.$minor...$((major + 1)).0:1"
    cases+=" $((major + 1)).0...$((major + 2)).0:0 :1"
    if [ "$minor" -gt 0 ]; then cases+=" $major.$((minor - 1)):$([ "$major" = 0 ] && echo 0 || echo 1)"; fi
    cat > "$tmp/versions.cmake" <<'CMAKE'
cmake_minimum_required(VERSION 3.14)
# Runs pollenConfigVersion.cmake as find_package would for VERSION_FILE and
# each "request:expected" in CASES (expected 1: compatible, 0: not).
foreach(case ${CASES})
  string(REPLACE ":" ";" parts "${case}")
  list(GET parts 0 request)
  list(GET parts 1 expected)
  foreach(v PACKAGE_FIND_VERSION PACKAGE_FIND_VERSION_MAJOR PACKAGE_FIND_VERSION_MINOR
            PACKAGE_FIND_VERSION_PATCH PACKAGE_FIND_VERSION_COUNT PACKAGE_FIND_VERSION_RANGE
            PACKAGE_FIND_VERSION_MIN PACKAGE_FIND_VERSION_MAX PACKAGE_FIND_VERSION_RANGE_MAX)
    unset(${v})
  endforeach()
  if(request MATCHES "^(.*)\\.\\.\\.(.*)$")
    set(PACKAGE_FIND_VERSION_RANGE "${request}")
    set(PACKAGE_FIND_VERSION_MIN "${CMAKE_MATCH_1}")
    set(PACKAGE_FIND_VERSION_MAX "${CMAKE_MATCH_2}")
    set(PACKAGE_FIND_VERSION_RANGE_MAX INCLUDE)
    set(PACKAGE_FIND_VERSION "${CMAKE_MATCH_1}")
  elseif(NOT request STREQUAL "")
    set(PACKAGE_FIND_VERSION "${request}")
    string(REPLACE "." ";" nums "${request}")
    list(LENGTH nums PACKAGE_FIND_VERSION_COUNT)
    list(APPEND nums 0 0)
    list(GET nums 0 PACKAGE_FIND_VERSION_MAJOR)
    list(GET nums 1 PACKAGE_FIND_VERSION_MINOR)
    list(GET nums 2 PACKAGE_FIND_VERSION_PATCH)
  endif()
  include("${VERSION_FILE}")
  if(PACKAGE_VERSION_COMPATIBLE)
    set(got 1)
  else()
    set(got 0)
  endif()
  if(NOT got EQUAL expected)
    message(FATAL_ERROR "pollen ${PACKAGE_VERSION} for find_package(pollen ${request}): compatible=${got}, expected ${expected}")
  endif()
endforeach()
CMAKE
    # shellcheck disable=SC2086
    cmake -DVERSION_FILE="$(dirname "$config")/pollenConfigVersion.cmake" \
      "-DCASES=$(echo $cases | tr ' ' ';')" -P "$tmp/versions.cmake"
    echo "ok: pollen $version accepts and refuses requests as a 0.y version should: $cases"

    bash "$root/test/packaging/no_fmt.sh" "$tmp/no_fmt"
    run "$tmp/configure-core.log" cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/core" \
      -DPOLLEN_HOW=package -DPOLLEN_WANT="$major.$minor" -DCMAKE_PREFIX_PATH="$dest_prefix" \
      -DPOLLEN_FMT=OFF -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON -DPOLLEN_NO_FMT_DIR="$tmp/no_fmt"
    grep 'pollen .* from' "$tmp/configure-core.log" | sed 's/^-- //'
    run "$tmp/build-core.log" cmake --build "$tmp/core"
    # The installed library, not the build tree's one that meson test puts on LD_LIBRARY_PATH.
    env -u LD_LIBRARY_PATH "$tmp/core/core_consumer"
    readelf -d "$tmp/core/core_consumer" | grep -q "$tmp/dest" || { echo "FAIL: the consumer does not find pollen in the installation"; exit 1; }
    if env -u LD_LIBRARY_PATH ldd "$tmp/core/core_consumer" | grep -q libfmt; then
      ldd "$tmp/core/core_consumer"; echo "FAIL: a program that uses only pollen::pollen loads libfmt"; exit 1
    fi
    echo "ok: find_package(pollen $major.$minor CONFIG REQUIRED) and pollen::pollen work from an installation, without fmt"

    run "$tmp/configure.log" cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/consumer" \
      -DPOLLEN_HOW=package -DPOLLEN_WANT="$major.$minor" -DCMAKE_PREFIX_PATH="$dest_prefix" -DPOLLEN_FMT=ON
    run "$tmp/build.log" cmake --build "$tmp/consumer"
    env -u LD_LIBRARY_PATH "$tmp/consumer/consumer"
    echo "ok: find_package(pollen $major.$minor CONFIG REQUIRED COMPONENTS fmt) and pollen::fmt work"

    # COMPONENTS fmt without fmt: not found, saying why.
    if nice -n 10 cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/nofmt" \
        -DPOLLEN_HOW=package -DPOLLEN_WANT="$major.$minor" -DCMAKE_PREFIX_PATH="$dest_prefix" \
        -DPOLLEN_FMT=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON > "$tmp/configure-nofmt.log" 2>&1; then
      echo "FAIL: find_package(pollen COMPONENTS fmt) succeeded without fmt"; exit 1
    fi
    grep -q "component fmt (pollen::fmt, for <pollen/fmt.hpp>) needs fmt" "$tmp/configure-nofmt.log" \
      || { cat "$tmp/configure-nofmt.log"; echo "FAIL: no message saying that pollen's component fmt needs fmt"; exit 1; }
    # OPTIONAL_COMPONENTS fmt without fmt: pollen found, pollen_fmt_FOUND false.
    run "$tmp/configure-opt.log" cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/opt" \
      -DPOLLEN_HOW=package -DPOLLEN_WANT="$major.$minor" -DCMAKE_PREFIX_PATH="$dest_prefix" \
      -DPOLLEN_FMT=OPTIONAL -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON
    grep -q 'pollen_fmt_FOUND: FALSE' "$tmp/configure-opt.log" || { cat "$tmp/configure-opt.log"; echo "FAIL: pollen_fmt_FOUND is not FALSE"; exit 1; }
    echo "ok: COMPONENTS fmt without fmt fails and says why; OPTIONAL_COMPONENTS fmt without fmt finds pollen alone"

    # An installation that lacks its library says so instead of failing at link time.
    rm -f "$(dirname "$(dirname "$(dirname "$config")")")"/libpollen.*
    if nice -n 10 cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/consumer2" \
        -DPOLLEN_HOW=package -DPOLLEN_WANT="$major.$minor" -DCMAKE_PREFIX_PATH="$dest_prefix" > "$tmp/configure2.log" 2>&1; then
      echo "FAIL: find_package(pollen) succeeded with the library removed"; exit 1
    fi
    grep -q 'names files that are not there' "$tmp/configure2.log" || { cat "$tmp/configure2.log"; exit 1; }
    echo "ok: an incomplete installation is reported at find_package"
    ;;
  source)
    echo "== from the source tree with FetchContent (CMake builds the library)"
    start=$(date +%s)
    bash "$root/test/packaging/no_fmt.sh" "$tmp/no_fmt"
    run "$tmp/configure.log" cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/fetch" \
      -DPOLLEN_HOW=fetchcontent -DPOLLEN_SOURCE_DIR="$root" -DPOLLEN_FMT=ON -DPOLLEN_NO_FMT_DIR="$tmp/no_fmt"
    run "$tmp/build.log" cmake --build "$tmp/fetch"
    "$tmp/fetch/core_consumer"
    "$tmp/fetch/consumer"
    # Only the library and the two consumers were built: three link steps.
    links=$(grep -c 'Linking' "$tmp/build.log" || true)
    [ "$links" = 3 ] || { cat "$tmp/build.log"; echo "FAIL: expected 3 link steps (pollen, core_consumer, consumer), saw $links"; exit 1; }
    echo "ok: FetchContent_Declare(pollen SOURCE_DIR ...) builds pollen::pollen (used without fmt) and pollen::fmt ($(( $(date +%s) - start )) s)"
    echo "== from the source tree with add_subdirectory, fmt hidden (configured only)"
    run "$tmp/configure2.log" cmake "${generator[@]}" -S "$root/test/packaging/cmake_consumer" -B "$tmp/subdir" \
      -DPOLLEN_HOW=subdirectory -DPOLLEN_SOURCE_DIR="$root" -DPOLLEN_FMT=OFF -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON
    echo "ok: add_subdirectory(pollen) configures pollen::pollen without fmt"
    ;;
  *)
    echo "cmake.sh: unknown mode $mode (install or source)"; exit 2 ;;
esac
