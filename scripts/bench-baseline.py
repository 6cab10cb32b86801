#!/usr/bin/env python3
"""The Python baseline of the core benchmark (scripts/bench-core.sh runs it beside
`stage_times`): over the same bench corpus (the seeds and the development corpus, each as UTF-8,
GBK, GB18030 and UTF-16LE) it does far less work than reportflow's extraction -- detect the
charset with charset-normalizer, decode, NFKC-normalize, and one regex pass for figures with
units -- and prints MB/s of input bytes per encoding, one thread, best of PASSES passes.

usage: bench-baseline.py CORPUS_DIR [CORPUS_DIR ...] [--passes N]
"""

import argparse
import pathlib
import re
import time
import unicodedata

import charset_normalizer

FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|元|万人|万吨|个百分点|%|倍)")

ENCODINGS = [
    ("UTF-8", "utf-8"),
    ("GBK", "gbk"),
    ("GB18030", "gb18030"),
    ("UTF-16LE", "utf-16-le"),
]


def corpus(dirs):
    texts = []
    for d in dirs:
        for p in sorted(pathlib.Path(d).glob("*.txt")):
            texts.append(p.read_text(encoding="utf-8"))
    return texts


def baseline(raw: bytes) -> int:
    best = charset_normalizer.from_bytes(raw).best()
    text = str(best) if best is not None else raw.decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", text)
    return sum(1 for _ in FIGURE.finditer(text))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    texts = corpus(args.dirs)
    print(f"baseline (charset-normalizer {charset_normalizer.__version__} + NFKC + one regex)")
    print("encoding   MB  MB/s")
    for name, codec in ENCODINGS:
        inputs = [t.encode(codec, "replace") for t in texts]
        size = sum(map(len, inputs)) / 1e6
        fastest = float("inf")
        for _ in range(args.passes):
            start = time.perf_counter()
            for raw in inputs:
                baseline(raw)
            fastest = min(fastest, time.perf_counter() - start)
        print(f"{name:<9} {size:>4.2f} {size / fastest:>5.1f}")


if __name__ == "__main__":
    main()
