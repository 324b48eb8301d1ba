#!/usr/bin/env python3
"""Checks that the `Example:` sections of the public headers' comments are
compiled: each is quoted in test/lint/header_examples.cpp, which the tests
build and run (test header_examples), or is named there as not compiled.

usage: header_examples.py SOURCE_ROOT

An example is what follows a comment line `// Example:` in a header under
include/pollen/: the backquoted code on that line (`// Example: `code``), or
the comment lines below it indented past the margin (`//   code`). It must
appear in header_examples.cpp verbatim, line for line and contiguous, the
whole piece indented there by the same whitespace (it sits in a function
body). An example that cannot stand alone (pseudo-code, `...`) is listed
in header_examples.cpp on a line

    // not compiled: include/pollen/x/y.hpp: why

An example written `Example: see ...` points elsewhere and is skipped. A
header example that is neither quoted nor listed fails the check, naming
the header and line; so does a listing of a header without such an example.
"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples"))
from check_quotes import find_in_order  # noqa: E402  (same matching as the guides' quotes)

EXAMPLE = re.compile(r"^\s*// Examples?:\s*(.*)$")
INDENTED = re.compile(r"^\s*//   (.*)$")
NOT_COMPILED = re.compile(r"^// not compiled: (\S+): \S")


def examples(path):
    """Yields (line number, example lines) for a header."""
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = EXAMPLE.match(line)
        if not m:
            continue
        rest = m.group(1).strip()
        if rest.startswith("see "):
            continue
        if rest:
            code = re.findall(r"`([^`]+)`", rest)
            if code:
                yield i + 1, [code[0]]
            continue
        block = []
        after = lines[i + 1 :]
        if after and after[0].strip() == "//":  # a blank comment line first
            after = after[1:]
        for l in after:
            mm = INDENTED.match(l)
            if not mm:
                break
            block.append(mm.group(1))
        if block:
            yield i + 1, block


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    mirror_path = os.path.join(root, "test", "lint", "header_examples.cpp")
    mirror = open(mirror_path, encoding="utf-8").read().split("\n")
    skipped = {}
    for l in mirror:
        m = NOT_COMPILED.match(l)
        if m:
            skipped[m.group(1)] = False
    errors, checked = [], 0
    for path in sorted(glob.glob(os.path.join(root, "include", "pollen", "**", "*.hpp"), recursive=True)):
        rel = os.path.relpath(path, root)
        for line_no, block in examples(path):
            if rel in skipped:
                skipped[rel] = True
                continue
            ok, missing = find_in_order(mirror, [block])
            if not ok:
                errors.append("%s:%d: its example is not compiled: not found verbatim in "
                              "test/lint/header_examples.cpp (nor listed there as not compiled):\n    %s"
                              % (rel, line_no, "\n    ".join(block)))
            checked += 1
    for rel, used in sorted(skipped.items()):
        if not used:
            errors.append("test/lint/header_examples.cpp: `not compiled: %s`, but that header has no example" % rel)
    for e in errors:
        print(e)
    print("header examples: %d found, %d not compiled by choice, %d missing"
          % (checked, sum(1 for u in skipped.values() if u), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
