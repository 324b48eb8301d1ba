#!/usr/bin/env python3
"""Checks that a guide quotes its examples faithfully.

usage: check_quotes.py GUIDE.md [EXAMPLES_BUILD_DIR]

Every ```cpp block of the guide must be preceded (on the closest non-blank
line above it) by a comment naming the example file it quotes:

    <!-- quote: docs/examples/desugar_naive_loop.cpp -->

and its lines must appear in that file, verbatim and contiguous. A line
`// ...` inside a block separates pieces that are quoted one after the other
(each verbatim, in the file's order, with anything in between).

An output block (```text) preceded by

    <!-- output: desugar_naive_loop -->

must appear verbatim (contiguous lines) in what that example prints; the
example is run from EXAMPLES_BUILD_DIR (without it, output blocks are not
checked). Output blocks marked `<!-- output, times vary: NAME -->` are not
checked.
"""
import os
import re
import subprocess
import sys

QUOTE = re.compile(r"^<!-- quote: (\S+) -->$")
OUTPUT = re.compile(r"^<!-- output: (\S+) -->$")
FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(lines):
    """Yields (line number, language, comment above, block lines)."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        lang = m.group(1)
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        above = lines[j].strip() if j >= 0 else ""
        k = i + 1
        while k < len(lines) and lines[k].rstrip() != "```":
            k += 1
        yield i + 1, lang, above, lines[i + 1 : k]
        i = k + 1


def find_in_order(haystack, pieces):
    """True if every piece (a list of lines) is a contiguous run of haystack
    lines, each after the previous one."""
    start = 0
    for piece in pieces:
        n = len(piece)
        for s in range(start, len(haystack) - n + 1):
            if haystack[s : s + n] == piece:
                start = s + n
                break
        else:
            return False, piece
    return True, None


def split_pieces(block):
    pieces, cur = [], []
    for line in block:
        if line.strip() == "// ...":
            if cur:
                pieces.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        pieces.append(cur)
    return pieces


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    guide = sys.argv[1]
    build_dir = sys.argv[2] if len(sys.argv) == 3 else None
    root = os.path.dirname(os.path.dirname(os.path.abspath(guide)))
    lines = open(guide, encoding="utf-8").read().split("\n")
    errors, checked, outputs = [], 0, {}
    for line_no, lang, above, block in blocks(lines):
        where = "%s:%d" % (guide, line_no)
        if lang == "cpp":
            m = QUOTE.match(above)
            if not m:
                errors.append("%s: a ```cpp block without <!-- quote: FILE --> above it" % where)
                continue
            path = os.path.join(root, m.group(1))
            if not os.path.exists(path):
                errors.append("%s: %s does not exist" % (where, m.group(1)))
                continue
            src = open(path, encoding="utf-8").read().split("\n")
            ok, missing = find_in_order(src, split_pieces(block))
            if not ok:
                errors.append("%s: not found verbatim in %s:\n    %s"
                              % (where, m.group(1), "\n    ".join(missing)))
            checked += 1
        m = OUTPUT.match(above)
        if m and build_dir:
            name = m.group(1)
            if name not in outputs:
                exe = os.path.join(build_dir, name)
                try:
                    outputs[name] = subprocess.run(
                        [exe], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                        timeout=60, check=False).stdout.decode("utf-8").split("\n")
                except OSError as e:
                    errors.append("%s: cannot run %s: %s" % (where, exe, e))
                    continue
            ok, missing = find_in_order(outputs[name], [block])
            if not ok:
                errors.append("%s: %s does not print this (any more):\n    %s"
                              % (where, name, "\n    ".join(block)))
            checked += 1
    for e in errors:
        print(e)
    print("%s: %d blocks checked, %d out of date" % (os.path.basename(guide), checked, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
