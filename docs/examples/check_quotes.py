#!/usr/bin/env python3
"""Checks that the guides quote their examples faithfully.

usage: check_quotes.py GUIDE.md [EXAMPLES_BUILD_DIR]
       check_quotes.py --all SOURCE_ROOT

The second form checks the ```cpp blocks of README.md and of every
docs/*.md (found when it runs: a new guide is checked without being listed
anywhere), without running examples.

Every ```cpp block (also ```c++, ```cc, ```cxx, ```hpp, ```h, indented or
not) must be one of two kinds, or the check fails naming the file and line:

1. A quote. The closest non-blank line above it names the file it quotes,
   relative to the source root:

       <!-- quote: docs/examples/desugar_naive_loop.cpp -->

   That file must be compiled and run by the tests (docs/examples/meson.build
   or a test program), and the block's lines must appear in it verbatim and
   contiguous, except that the whole piece may be indented there by the same
   whitespace on every line (a snippet quoted from a function body). A line
   `// ...` inside a block separates pieces that are quoted one after the
   other (each verbatim, in the file's order, with anything in between).

2. A fragment, for what cannot stand alone (a signature, a lone #include,
   pseudo-code such as `<await f>`): its first line, which the reader sees,
   is a comment starting

       // fragment: what it is

   Fragments are not compiled. Anything that shows a usage pattern should be
   a quote of a compiled example instead.

With --all, a line that names something outside the repository (a
maintainers' DESIGN.md, STYLE.md or MISUSE.md, a path under /work/ or
shared/, an issue number) fails the check too: readers have none of them.

An output block (```text) preceded by

    <!-- output: desugar_naive_loop -->

must appear verbatim (contiguous lines) in what that example prints; the
example is run from EXAMPLES_BUILD_DIR (without it, output blocks are not
checked). Output blocks marked `<!-- output, times vary: NAME -->` are not
checked.
"""
import glob
import os
import re
import subprocess
import sys

QUOTE = re.compile(r"^<!-- quote: (\S+) -->$")
OUTPUT = re.compile(r"^<!-- output: (\S+) -->$")
FENCE = re.compile(r"^(\s*)```([\w+]*)(.*)$")
FRAGMENT = re.compile(r"^\s*// fragment: \S")
OUTSIDE = re.compile(r"\b(DESIGN|STYLE|MISUSE)\.md\b|/work/|(?<![\w/.-])shared/\w|\b[Ii]ssues? #?\d+")
CPP_LANGS = {"cpp", "c++", "cc", "cxx", "hpp", "h"}


def blocks(lines):
    """Yields (line number, language, comment above, block lines). An
    indented block loses its fence's indentation."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(2):
            i += 1
            continue
        indent, lang = m.group(1), m.group(2).lower()
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        above = lines[j].strip() if j >= 0 else ""
        k = i + 1
        while k < len(lines) and lines[k].strip() != "```":
            k += 1
        body = [l[len(indent):] if l.startswith(indent) else l for l in lines[i + 1 : k]]
        yield i + 1, lang, above, body
        i = k + 1


def matches_at(haystack, s, piece):
    """True if piece is haystack[s:s+len(piece)], each line of it under the
    same extra indentation (blank lines match blank lines)."""
    indent = None
    for off, want in enumerate(piece):
        have = haystack[s + off]
        if not want.strip():
            if have.strip():
                return False
            continue
        if not have.endswith(want):
            return False
        prefix = have[: len(have) - len(want)]
        if prefix.strip() or (indent is not None and prefix != indent):
            return False
        indent = prefix
    return True


def find_in_order(haystack, pieces, exact=False):
    """True if every piece (a list of lines) is a contiguous run of haystack
    lines (under a common indentation, unless exact), each after the
    previous one."""
    start = 0
    for piece in pieces:
        n = len(piece)
        for s in range(start, len(haystack) - n + 1):
            if haystack[s : s + n] == piece if exact else matches_at(haystack, s, piece):
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


def check_guide(guide, root, build_dir, outputs):
    """Returns (blocks checked, fragments, list of errors)."""
    lines = open(guide, encoding="utf-8").read().split("\n")
    errors, checked, fragments = [], 0, 0
    for line_no, lang, above, block in blocks(lines):
        where = "%s:%d" % (guide, line_no)
        if lang in CPP_LANGS:
            m = QUOTE.match(above)
            if not m:
                if block and FRAGMENT.match(block[0]):
                    fragments += 1
                    continue
                errors.append("%s: a ```cpp block that is neither a quote (<!-- quote: FILE --> "
                              "above it) nor a fragment (first line `// fragment: ...`)" % where)
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
            ok, missing = find_in_order(outputs[name], [block], exact=True)
            if not ok:
                errors.append("%s: %s does not print this (any more):\n    %s"
                              % (where, name, "\n    ".join(block)))
            checked += 1
    return checked, fragments, errors


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--all":
        root = os.path.abspath(args[1])
        guides = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
        build_dir = None
    elif len(args) in (1, 2) and not args[0].startswith("-"):
        guides = [args[0]]
        root = os.path.dirname(os.path.dirname(os.path.abspath(args[0])))
        build_dir = args[1] if len(args) == 2 else None
    else:
        print(__doc__)
        return 2
    failed, outputs = 0, {}
    for guide in guides:
        checked, fragments, errors = check_guide(guide, root, build_dir, outputs)
        if args[0] == "--all":
            for n, line in enumerate(open(guide, encoding="utf-8").read().split("\n")):
                m = OUTSIDE.search(line)
                if m:
                    errors.append("%s:%d: names %r, which is not in the repository"
                                  % (guide, n + 1, m.group(0)))
        for e in errors:
            print(e)
        print("%s: %d blocks checked, %d fragments, %d out of date"
              % (os.path.basename(guide), checked, fragments, len(errors)))
        failed += len(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
