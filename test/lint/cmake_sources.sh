#!/usr/bin/env bash
# CMakeLists.txt (the CMake build of the library, for add_subdirectory and
# FetchContent) compiles the same sources as meson's `pollen` library and
# states the same version as meson.build. Meson's list is read from the
# configured build (meson introspect), so a file added to src/meson.build
# but not to CMakeLists.txt, or the other way round, fails here.
# Usage: cmake_sources.sh SOURCE_ROOT BUILD_ROOT VERSION
set -euo pipefail
root=${1:?usage: cmake_sources.sh SOURCE_ROOT BUILD_ROOT VERSION}
build=${2:?}
version=${3:?}
meson introspect --targets "$build" | python3 -c '
import json, os, re, sys
root, version = os.path.realpath(sys.argv[1]), sys.argv[2]
lib = [t for t in json.load(sys.stdin) if t["name"] == "pollen" and t["type"].endswith("library")]
if not lib:
    sys.exit("meson introspect lists no library target named pollen")
meson_srcs = set()
for t in lib:
    for s in t["target_sources"]:
        meson_srcs.update(os.path.relpath(os.path.realpath(p), root) for p in s["sources"])
text = open(os.path.join(root, "CMakeLists.txt")).read()
m = re.search(r"^add_library\(pollen\n(.*?)^\)", text, re.S | re.M)
if not m:
    sys.exit("CMakeLists.txt: no add_library(pollen ...) list with one source per line")
cmake_srcs = set(line.strip() for line in m.group(1).splitlines() if line.strip())
bad = False
for s in sorted(meson_srcs - cmake_srcs):
    print("in the pollen library of meson but not in CMakeLists.txt: " + s); bad = True
for s in sorted(cmake_srcs - meson_srcs):
    print("in CMakeLists.txt but not in the pollen library of meson: " + s); bad = True
v = re.search(r"^project\(pollen VERSION ([0-9.]+)", text, re.M)
if not v or v.group(1) != version:
    print("CMakeLists.txt: project(pollen VERSION %s), meson.build says %s" % (v.group(1) if v else "?", version)); bad = True
if bad:
    sys.exit("update CMakeLists.txt to match meson.build and src/**/meson.build")
print("%d sources, version %s: CMakeLists.txt matches meson" % (len(meson_srcs), version))
' "$root" "$version"
