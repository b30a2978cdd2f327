#!/usr/bin/env python3
"""Draws the benchmark figures in README.md as SVG, from the CSV files the benchmarks write.

    bench/plot.py [--results bench/results] [--out docs/bench]

Reads:
  clients.csv  (from `EMPTY=1 LOGS=20 CALENDAR=1 CSV=bench/results/clients.csv
               bench/site.sh 100 300 1000 3000 10000`: first builds into an empty folder)
  clients-cold.csv (the same with COLD=1: no search index kept from an earlier build either),
               optional; each has the columns clients,median_ms,peak_mb among others
  corpus.csv   (from `CSV=bench/results/corpus.csv bench/compare.sh 1000`, then 3000, 10000):
               tool,pages,median_ms,peak_mb

Writes:
  clients.svg  build time and peak memory of hundred against the number of clients
  corpus.svg   build time against the number of pages for hundred, Hugo and Zola

Plain SVG written here (no plotting library), both axes logarithmic, so sizes from 100 to
10,000 read evenly; every point is labelled with its value.
"""
import argparse
import csv
import math
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
COLOURS = {"hundred": "#1f6f5c", "hugo": "#c2410c", "zola": "#4338ca", "memory": "#9a3412"}
W, H = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 80, 80, 40, 50


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def log_scale(lo, hi, a, b):
    """Maps [lo, hi] (logarithmically) onto [a, b]."""
    llo, lhi = math.log10(lo), math.log10(hi)
    span = (lhi - llo) or 1.0
    return lambda v: a + (math.log10(v) - llo) / span * (b - a)


def ticks(lo, hi):
    """1, 2, 5 x powers of ten within [lo, hi]."""
    out = []
    p = 10 ** math.floor(math.log10(lo))
    while p <= hi * 10:
        for m in (1, 2, 5):
            v = m * p
            if lo <= v <= hi:
                out.append(v)
        p *= 10
    return out


def human(v):
    if v >= 1000 and v % 1000 == 0:
        return f"{v // 1000:g}k" if v < 1_000_000 else f"{v / 1e6:g}M"
    if v >= 1000:
        return f"{v / 1000:.1f}k"
    return f"{v:g}"


def bounds(values, pad=1.25):
    lo, hi = min(values), max(values)
    return lo / pad, hi * pad


class Svg:
    def __init__(self, title):
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" '
            f'width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
            f'<rect width="{W}" height="{H}" fill="#fff"/>',
            f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14" '
            f'font-weight="bold">{title}</text>',
        ]

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, anchor="middle", colour="#222", size=11, rotate=None):
        tr = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}" '
                 f'font-size="{size}"{tr}>{s}</text>')

    def line(self, points, colour, dash=None):
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dash = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for x, y in points:
            self.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')

    def save(self, path):
        self.parts.append("</svg>")
        path.write_text("\n".join(self.parts) + "\n")


def x_axis(svg, xs, label):
    lo, hi = min(xs), max(xs)
    x = log_scale(lo / 1.15, hi * 1.15, LEFT, W - RIGHT)
    svg.add(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#444"/>')
    for v in sorted(set(xs)):
        svg.add(f'<line x1="{x(v):.1f}" y1="{H - BOTTOM}" x2="{x(v):.1f}" y2="{H - BOTTOM + 4}" '
                f'stroke="#444"/>')
        svg.text(x(v), H - BOTTOM + 16, human(v))
    svg.text((LEFT + W - RIGHT) / 2, H - 12, label)
    return x


def y_axis(svg, values, label, side, colour="#222"):
    lo, hi = bounds(values)
    y = log_scale(lo, hi, H - BOTTOM, TOP)
    at = LEFT if side == "left" else W - RIGHT
    svg.add(f'<line x1="{at}" y1="{TOP}" x2="{at}" y2="{H - BOTTOM}" stroke="#444"/>')
    for v in ticks(lo, hi):
        tick = -4 if side == "left" else 4
        svg.add(f'<line x1="{at}" y1="{y(v):.1f}" x2="{at + tick}" y2="{y(v):.1f}" stroke="#444"/>')
        if side == "left":
            svg.add(f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{W - RIGHT}" y2="{y(v):.1f}" '
                    f'stroke="#eee"/>')
        svg.text(at + (-7 if side == "left" else 7), y(v) + 4, human(v),
                 anchor="end" if side == "left" else "start", colour=colour)
    lx = 16 if side == "left" else W - 10
    svg.text(lx, (TOP + H - BOTTOM) / 2, label, colour=colour, rotate=-90)
    return y


def legend(svg, entries):
    x0 = LEFT + 10
    for i, (name, colour, dash) in enumerate(entries):
        yy = TOP + 8 + i * 16
        d = f' stroke-dasharray="{dash}"' if dash else ""
        svg.add(f'<line x1="{x0}" y1="{yy}" x2="{x0 + 22}" y2="{yy}" stroke="{colour}" '
                f'stroke-width="2"{d}/>')
        svg.text(x0 + 28, yy + 4, name, anchor="start")


def clients_figure(rows, out, note, cold=None):
    rows = sorted(rows, key=lambda r: int(r["clients"]))
    cold = sorted(cold or [], key=lambda r: int(r["clients"]))
    n = [int(r["clients"]) for r in rows]
    ms = [float(r["median_ms"]) for r in rows]
    mb = [float(r["peak_mb"]) for r in rows]
    cn = [int(r["clients"]) for r in cold]
    cms = [float(r["median_ms"]) for r in cold]
    svg = Svg("hundred build: time and peak memory against clients")
    x = x_axis(svg, n + cn, f"clients (about 13 pages each, 20 log entries){note}")
    yt = y_axis(svg, ms + cms, "median wall time (ms)", "left", COLOURS["hundred"])
    ym = y_axis(svg, mb, "peak memory (MB)", "right", COLOURS["memory"])
    time_label = lambda b: f"{b / 1000:.2f} s" if b >= 1000 else f"{b:.0f} ms"
    if cold:
        svg.line([(x(a), yt(b)) for a, b in zip(cn, cms)], COLOURS["hugo"], dash="2,3")
        for a, b in zip(cn, cms):
            svg.text(x(a) - 4, yt(b) - 8, time_label(b), anchor="end", colour=COLOURS["hugo"],
                     size=10)
    svg.line([(x(a), yt(b)) for a, b in zip(n, ms)], COLOURS["hundred"])
    svg.line([(x(a), ym(b)) for a, b in zip(n, mb)], COLOURS["memory"], dash="5,3")
    for a, b in zip(n, ms):
        last = a == max(n)
        svg.text(x(a) + (-6 if last else 4), yt(b) + 15, time_label(b),
                 anchor="end" if last else "start", colour=COLOURS["hundred"], size=10)
    for a, b in zip(n, mb):
        svg.text(x(a), ym(b) - 8, f"{b:.0f} MB", colour=COLOURS["memory"], size=10)
    entries = [("time, into an empty folder", COLOURS["hundred"], None)]
    if cold:
        entries.append(("time, also without the kept search index", COLOURS["hugo"], "2,3"))
    entries.append(("peak memory, into an empty folder", COLOURS["memory"], "5,3"))
    legend(svg, entries)
    svg.save(out)


def corpus_figure(rows, out, note):
    tools = [t for t in ("hundred", "hugo", "zola") if any(r["tool"] == t for r in rows)]
    pages = sorted({int(r["pages"]) for r in rows if r["tool"] in tools})
    svg = Svg("Markdown corpus: build time against pages")
    x = x_axis(svg, pages, f"pages{note}")
    all_ms = [float(r["median_ms"]) for r in rows if r["tool"] in tools]
    y = y_axis(svg, all_ms, "median wall time (ms)", "left")
    for t in tools:
        pts = sorted((int(r["pages"]), float(r["median_ms"])) for r in rows if r["tool"] == t)
        svg.line([(x(a), y(b)) for a, b in pts], COLOURS[t])
        for a, b in pts:
            svg.text(x(a) + 4, y(b) - 7, f"{b:.0f}", anchor="start", colour=COLOURS[t], size=10)
    legend(svg, [(t, COLOURS[t], None) for t in tools])
    svg.save(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", default=str(REPO / "bench" / "results"))
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    a = ap.parse_args()
    results, out = pathlib.Path(a.results), pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    made = 0
    for name, draw in (("clients", clients_figure), ("corpus", corpus_figure)):
        path = results / f"{name}.csv"
        if not path.exists():
            print(f"no {path}: {name}.svg not drawn", file=sys.stderr)
            continue
        rows = read(path)
        if not rows:
            print(f"{path} is empty: {name}.svg not drawn", file=sys.stderr)
            continue
        dated = sorted({r.get("date", "") for r in rows} - {""})
        note = f" · measured {dated[-1]}" if dated else ""
        if name == "clients" and (results / "clients-cold.csv").exists():
            draw(rows, out / f"{name}.svg", note, read(results / "clients-cold.csv"))
        else:
            draw(rows, out / f"{name}.svg", note)
        print(f"wrote {out / (name + '.svg')}")
        made += 1
    sys.exit(0 if made else 1)


if __name__ == "__main__":
    main()
