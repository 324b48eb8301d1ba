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

Code in a comment outside an `Example:` section fails the check too, so that
a usage snippet cannot escape it by its heading. Code is what the API
reference shows verbatim (docs/doxygen_filter.py: a comment line indented
past the margin, and not the continuation of a bullet) where a line ends
with `;`, `{` or `}` (a trailing `// comment` aside) and has no run of four
plain lowercase words (prose: `(one unit of budget each);`). A block of such
lines that is not a usage example (a signature, the members a type declares,
pseudo-code) is listed in header_examples.cpp on a line

    // not an example: include/pollen/x/y.hpp: `its first code line`: why

and a listing that matches no block fails.
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
NOT_AN_EXAMPLE = re.compile(r"^// not an example: (\S+): `(.+?)`: \S")
COMMENT = re.compile(r"^(\s*)//(.*)$")
BULLET = re.compile(r"^([*-]|\d+\.) ")  # as docs/doxygen_filter.py
CODE_END = re.compile(r"[;{}]$")
PROSE = re.compile(r"\b[a-z]+(?: [a-z]+){3}\b")


def examples(path, covered=None):
    """Yields (line number, example lines) for a header; adds the indices
    of the example's lines to `covered` if given."""
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
        first = i + 1
        if first < len(lines) and lines[first].strip() == "//":  # a blank comment line first
            first += 1
        for l in lines[first:]:
            mm = INDENTED.match(l)
            if not mm:
                break
            block.append(mm.group(1))
        if covered is not None:
            covered.update(range(first, first + len(block)))
        if block:
            yield i + 1, block


def code_line(text):
    """True if a comment line's text (indented past the margin) is code."""
    cut = text.find("//", 1)  # a trailing comment
    t = (text[:cut] if cut > 0 else text).rstrip()
    return bool(CODE_END.search(t)) and not PROSE.search(t)


def code_blocks(path):
    """Yields (line number, first code line) for each block of code in a
    header's comments outside its Example sections."""
    covered = set()
    for _ in examples(path, covered):
        pass
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = COMMENT.match(lines[i])
        if not m:
            i += 1
            continue
        run, bullet_indent = [], None
        j = i
        while True:
            mj = COMMENT.match(lines[j]) if j < len(lines) else None
            same = bool(mj) and mj.group(1) == m.group(1)
            if same:
                raw = mj.group(2)
                t = raw[1:] if raw.startswith(" ") else raw
                indent = len(t) - len(t.lstrip(" "))
                blank = not t.strip()
                if blank:
                    bullet_indent = None
                verbatim = not blank and indent != 0 and indent != bullet_indent
                if indent == 0 and BULLET.match(t):
                    bullet_indent = len(BULLET.match(t).group(0))
                if verbatim and j not in covered:
                    run.append((j, t.strip()))
                    j += 1
                    continue
            code = [(n, t) for n, t in run if code_line(t)]
            if code:
                yield code[0][0] + 1, code[0][1]
            run = []
            if not same:
                break
            j += 1
        i = j


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = sys.argv[1]
    mirror_path = os.path.join(root, "test", "lint", "header_examples.cpp")
    mirror = open(mirror_path, encoding="utf-8").read().split("\n")
    skipped = {}
    not_examples = {}
    for l in mirror:
        m = NOT_COMPILED.match(l)
        if m:
            skipped[m.group(1)] = False
        m = NOT_AN_EXAMPLE.match(l)
        if m:
            not_examples[(m.group(1), m.group(2))] = False
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
        for line_no, first in code_blocks(path):
            if (rel, first) in not_examples:
                not_examples[(rel, first)] = True
                continue
            errors.append("%s:%d: code in a comment outside an `// Example:` section, not compiled:\n    %s\n"
                          "  make it an Example (quoted in test/lint/header_examples.cpp), or, if it is not a "
                          "usage example, list it there: `// not an example: %s: `%s`: why`"
                          % (rel, line_no, first, rel, first))
    for (rel, first), used in sorted(not_examples.items()):
        if not used:
            errors.append("test/lint/header_examples.cpp: `not an example: %s: `%s``, but that header has no "
                          "such code outside its Examples" % (rel, first))
    for rel, used in sorted(skipped.items()):
        if not used:
            errors.append("test/lint/header_examples.cpp: `not compiled: %s`, but that header has no example" % rel)
    for e in errors:
        print(e)
    print("header examples: %d found, %d not compiled by choice, %d other code blocks listed as not examples, "
          "%d missing" % (checked, sum(1 for u in skipped.values() if u), sum(1 for u in not_examples.values() if u),
                          len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
