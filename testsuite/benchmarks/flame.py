#!/usr/bin/python3
"""Renders async-profiler's collapsed stacks ("frame;frame;frame count" per line) as a flame graph SVG.

    flame.py profile.collapsed out.svg --title "io_uring, plaintext c256, CPU"

Standard library only. Each box is a frame; its width is its share of the samples; hover shows the
frame, its samples and its share. Colours: Java (green), JIT-inlined (aqua), C/C++ in the JVM or
natives (yellow), kernel (orange); async-profiler marks them with suffixes (_[j], _[0], _[1], _[i],
_[k]) when it runs with the `ann` option. With its `threads` option the first frame names the thread.
"""

import argparse
import hashlib
import html
import re
from pathlib import Path

WIDTH = 1200
ROW = 16
PAD_TOP = 40
MIN_WIDTH = 0.3  # px: narrower boxes are not drawn (their samples still count in their parents)


def parse(path, exclude=None):
    root = {"name": "all", "n": 0, "kids": {}}
    for line in Path(path).read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        if exclude and exclude.search(stack.split(";", 1)[0]):
            continue
        n = int(count)
        root["n"] += n
        node = root
        for frame in stack.split(";"):
            node = node["kids"].setdefault(frame, {"name": frame, "n": 0, "kids": {}})
            node["n"] += n
    return root


def depth(node):
    return 1 + max((depth(k) for k in node["kids"].values()), default=0)


def colour(name):
    h = int(hashlib.md5(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    if name.endswith("_[k]"):
        return f"rgb(230,{int(120 + 60 * h)},40)"
    if name.endswith("_[i]"):
        return f"rgb(60,{int(190 + 40 * h)},{int(190 + 40 * h)})"
    if name.endswith("_[j]") or "/" in name or "." in name:
        return f"rgb({int(60 + 60 * h)},{int(170 + 50 * h)},60)"
    return f"rgb(220,{int(190 + 40 * h)},60)"


def render(root, title):
    rows = depth(root)
    height = PAD_TOP + rows * ROW + 20
    total = max(1, root["n"])
    scale = (WIDTH - 20) / total
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="#fdfdf6"/>',
           f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15">{html.escape(title)}</text>',
           f'<text x="10" y="34" font-size="10" fill="#555">{total} samples; width = share of samples; '
           f'root at the bottom; hover for frame, samples and share</text>']

    def draw(node, x, level):
        w = node["n"] * scale
        if w < MIN_WIDTH:
            return
        y = height - 20 - (level + 1) * ROW
        name = node["name"]
        share = 100.0 * node["n"] / total
        label = name[:int(w / 7)] if w > 21 else ""
        if label and len(label) < len(name):
            label = label[:-2] + ".."
        out.append(f'<g><title>{html.escape(name)} ({node["n"]} samples, {share:.2f}%)</title>'
                   f'<rect x="{10 + x:.2f}" y="{y}" width="{max(w - 0.5, 0.1):.2f}" height="{ROW - 1}" '
                   f'fill="{colour(name)}" rx="2"/>'
                   + (f'<text x="{13 + x:.2f}" y="{y + ROW - 4}">{html.escape(label)}</text>' if label else "")
                   + '</g>')
        child_x = x
        for kid in sorted(node["kids"].values(), key=lambda k: k["name"]):
            draw(kid, child_x, level + 1)
            child_x += kid["n"] * scale

    draw(root, 0, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("collapsed", type=Path)
    p.add_argument("svg", type=Path)
    p.add_argument("--title", default="flame graph")
    p.add_argument("--exclude-threads", default=r"CompilerThre",  # async-profiler cuts thread names at 15 characters
                   help="regex on the first frame (the thread, with async-profiler's `threads` option) of stacks "
                        "to leave out; the default drops the JIT compiler, whose time the benchmark does not count "
                        "as the server's either ('' keeps all)")
    a = p.parse_args()
    exclude = re.compile(a.exclude_threads) if a.exclude_threads else None
    a.svg.write_text(render(parse(a.collapsed, exclude), a.title))


if __name__ == "__main__":
    main()
