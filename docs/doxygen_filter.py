#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for pollen's headers (docs/Doxyfile).

usage: doxygen_filter.py FILE             (prints the filtered header or guide)
       doxygen_filter.py --tree ROOT OUT (writes filtered copies of README.md,
                                         docs/*.md, docs/images and
                                         include/pollen/**.hpp under OUT)

Doxygen runs a filter twice per header, and a python3 start costs about as
much as Doxygen's own work: `scripts/dev docs` filters the tree once with
--tree and runs Doxygen on the copy (with FILTER_PATTERNS emptied), which
keeps it to a few seconds. Run by hand, `doxygen docs/Doxyfile` from the
source root filters file by file and gives the same pages.

The headers are documented with plain `//` comments, which Doxygen ignores.
This filter turns two kinds of comment block into doc comments and leaves
every other line as it is:

* the file's opening comment (the `//` lines before its first other line)
  becomes the file's documentation (`\\file`);
* a block of whole-line `//` comments directly above a declaration (the
  next line is code, not blank, a preprocessor line, a closing brace or an
  access specifier) becomes that declaration's documentation.

In a block, lines indented past the comment's own margin (diagrams, state
lists, examples) are kept as they are, in \\verbatim sections; the other
lines are prose, where whatever Doxygen would read as markup is escaped
(`\\`, `@`, `<`, `>`, `&`, `#`, `$`, `%`, `|` and `::x`), except inside
`backquotes`, which Doxygen shows as code. Bullet items (`* `, `- `,
`1. `) keep their continuation lines in the item. Line numbers are kept
(one output line per input line, but for the line `/** \\file` added at the
top and one where a block opens with a verbatim line), so Doxygen's
warnings point near the header's lines.
"""
import os
import re
import sys

COMMENT = re.compile(r"^(\s*)//(.*)$")
BULLET = re.compile(r"^([*-]|\d+\.) ")
NOT_A_DECL = re.compile(r"^\s*(#|}|public:|private:|protected:|POLLEN_NAMESPACE_(BEGIN|END)\b|$)")
ESCAPE = re.compile(r"([\\@<>&#$%|])")


def escape_prose(text):
    """Escapes Doxygen/Markdown/HTML markup outside `code spans`."""
    out = []
    for i, part in enumerate(text.split("`")):
        if i % 2 == 1:
            out.append("`" + part + "`")
        else:
            part = ESCAPE.sub(r"\\\1", part)
            part = re.sub(r"(^|[^\w])::", r"\1\\::", part)  # not an explicit link
            out.append(part)
    if text.count("`") % 2 == 1:  # an unmatched backquote: show it as one
        last = text.rfind("`")
        return escape_prose(text[:last]) + "\\`" + escape_prose(text[last + 1 :])
    return "".join(out)


def render(texts):
    """Turns the texts of a comment block (what follows each `//`) into the
    lines of a doc comment's body, one per input line (one more when the
    block opens with a verbatim line)."""
    out = []
    in_verbatim = False
    bullet_indent = None  # the column a bullet item's continuation lines start at
    for raw in texts:
        t = raw[1:] if raw.startswith(" ") else raw
        indent = len(t) - len(t.lstrip(" "))
        blank = not t.strip()
        if blank:
            bullet_indent = None
        prose = not blank and (indent == 0 or indent == bullet_indent)
        if not blank and not prose and not in_verbatim:
            if out:
                out[-1] += " \\verbatim"
            else:
                out.append("\\verbatim")
            in_verbatim = True
        elif prose and in_verbatim:
            out[-1] += " \\endverbatim"
            in_verbatim = False
        if blank:
            out.append("")
        elif in_verbatim:
            out.append(t.replace("*/", "* /").replace("\\endverbatim", "\\ endverbatim"))
        else:
            m = BULLET.match(t)
            if indent == 0 and m:
                bullet_indent = len(m.group(0))
            out.append(escape_prose(t))
    if in_verbatim:
        out[-1] += " \\endverbatim"
    return out


def render_block(texts, head):
    """The doc comment for a block: head + the rendered lines + close."""
    lines = render(texts)
    lines[0] = head + lines[0]
    lines[-1] = lines[-1] + " */"
    return lines


FOREIGN = re.compile(r"^(struct|class) (?!pollen::)\w+::")


def hide_foreign_specializations(lines):
    """Specializations of other libraries' templates declared by qualified
    name at file scope (`struct fmt::formatter<...>`): Doxygen 1.9.4 cannot
    place them (an "Internal inconsistency" error). They are hidden from it
    between \\cond and \\endcond, and the comment above each is left a
    plain comment. Returns the lines where such a declaration starts."""
    starts = set()
    i = 0
    while i < len(lines):
        start = i
        if lines[i].startswith("template") and i + 1 < len(lines) and FOREIGN.match(lines[i + 1]):
            i += 1
        if FOREIGN.match(lines[i]):
            end = i
            while end < len(lines) and lines[end] != "};":
                end += 1
            if end < len(lines):
                lines[start] = "/** \\cond */ " + lines[start]
                lines[end] = lines[end] + " /** \\endcond */"
                starts.add(start)
                i = end
        i += 1
    return starts


def filter_file(path):
    text = open(path, encoding="utf-8").read()
    return markdown(text) if path.endswith(".md") else filter_header(text)


def write_tree(root, out):
    import glob
    import shutil
    files = [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs", "*.md"))
    files += glob.glob(os.path.join(root, "include", "pollen", "**", "*.hpp"), recursive=True)
    for path in files:
        dest = os.path.join(out, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(filter_file(path))
    images = os.path.join(root, "docs", "images")
    if os.path.isdir(images):
        shutil.copytree(images, os.path.join(out, "docs", "images"), dirs_exist_ok=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--tree":
        write_tree(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        sys.stdout.write(filter_file(sys.argv[1]))
    else:
        print(__doc__)
        sys.exit(2)


def filter_header(text):
    lines = text.split("\n")
    hidden = hide_foreign_specializations(lines)
    out = []
    i = 0
    first = True
    while i < len(lines):
        m = COMMENT.match(lines[i])
        if not m:
            out.append(lines[i])
            first = False
            i += 1
            continue
        j = i
        texts = []
        while j < len(lines):
            mj = COMMENT.match(lines[j])
            if not mj or mj.group(1) != m.group(1):
                break
            texts.append(mj.group(2))
            j += 1
        nxt = lines[j] if j < len(lines) else ""
        if first and i == 0:
            out.append("/** \\file")  # the one added line: \\file takes a name on its line
            out.extend(render_block(texts, ""))
        elif not NOT_A_DECL.match(nxt) and j not in hidden:
            out.extend(m.group(1) + l for l in render_block(texts, "/** "))
        else:
            out.extend(lines[i:j])
        first = False
        i = j
    return "\n".join(out)


HEADING = re.compile(r"^(#{1,6}) (.*?)\s*$")
LOCAL_LINK = re.compile(r"\]\(#([\w-]+)\)")


def github_slug(title):
    """The anchor GitHub gives a heading (what the guides link to)."""
    t = re.sub(r"`|\*|\[|\]\([^)]*\)|&lt;|&gt;|&amp;", "", title).strip().lower()
    t = re.sub(r"[^\w\- ]", "", t)
    return t.replace(" ", "-")


def markdown(text):
    """For a guide: the headings that the page links to (`[x](#slug)`, the
    anchors GitHub makes) get that slug as an explicit Doxygen label, made
    unique by the page's name, and the links use it. Doxygen 1.9.4 makes no
    such anchors itself."""
    lines = text.split("\n")
    page = None
    wanted = set(LOCAL_LINK.findall(text))
    for i, line in enumerate(lines):
        m = HEADING.match(line)
        if m and page is None:
            page = re.sub(r"[^\w]+", "-", github_slug(m.group(2)))[:24]
        if m and github_slug(m.group(2)) in wanted:
            lines[i] = line.rstrip() + " {#%s-%s}" % (page, github_slug(m.group(2)))
    out = "\n".join(lines)
    return LOCAL_LINK.sub(lambda m: "](#%s-%s)" % (page, m.group(1)), out)


if __name__ == "__main__":
    main()
