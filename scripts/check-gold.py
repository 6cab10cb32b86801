#!/usr/bin/env python3
"""Mechanical second pass over hand-labelled gold facts (format: crates/reportflow-core/test_data/gold/README.md).

usage: check-gold.py GOLD.jsonl [GOLD.jsonl ...] [--docs DIR]

For every line it checks that
  - the fields of the gold format are present with the right types, and `code` is a code of the
    bundled taxonomy (crates/reportflow-core/src/indicator-taxonomy.toml);
  - `kind` is actual, target or forecast; `period` is a period string (2025, 2026H1, 2021-2025,
    2025M01-11, 2025Q1-3, 2025Q2) or `unknown`;
  - `quote` is an exact substring of the document (DIR/<doc>), at most 120 characters;
  - `metric` occurs in the quote (ignoring spaces, which some scraped texts put inside words);
  - every number of the fact (`value`, `|yoy_pct|`, `other_growth.pct`) is written in the quote
    (as digits, with spaces and thousands separators ignored, and full-width digits folded).
It prints every problem and exits 1 if there is any, so a typo in a label cannot pass silently.
"""
import json
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAXONOMY = os.path.join(ROOT, "crates/reportflow-core/src/indicator-taxonomy.toml")
DEFAULT_DOCS = [
    os.path.join(ROOT, "crates/reportflow-core/test_data/dev"),
    os.path.join(ROOT, "crates/reportflow-core/test_data/seeds"),
]
PERIOD = re.compile(r"^(unknown|\d{4}(-\d{4})?|\d{4}H[12]|\d{4}Q[1-4](-[1-4])?|\d{4}M\d{2}(-\d{2})?)$")
FIELDS = ["doc", "code", "metric", "kind", "period", "value", "unit", "yoy_pct", "other_growth", "qualifier", "quote"]
FULL = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")


def squash(s):
    """The quote as digits are compared: full-width folded, spaces and separators removed."""
    s = s.translate(FULL)
    s = re.sub(r"[\s\u00a0\u3000]+", "", s.replace("<U+00A0>", ""))
    return re.sub(r"(?<=\d),(?=\d{3})", "", s)


CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_numerals(q):
    """Numbers written in Chinese numerals (千亿元 → 1000, 两千 → 2000, 十二 → 12)."""
    out = set()
    for run in re.findall(r"[〇零一二两三四五六七八九十百千]+", q):
        total, digit = 0, None
        for ch in run:
            if ch in CN_DIGITS:
                digit = CN_DIGITS[ch]
            else:
                total += (1 if digit is None else digit) * CN_UNITS[ch]
                digit = None
        total += digit or 0
        if total:
            out.add(float(total))
    return out


def written(x, quote):
    """Whether number `x` (its magnitude) is written in the quote, in digits or Chinese numerals."""
    q = squash(quote)
    target = abs(float(x))
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", q)} | chinese_numerals(q)
    return any(abs(n - target) < 1e-9 for n in numbers)


def main(argv):
    docs_dirs = DEFAULT_DOCS
    paths = []
    i = 0
    while i < len(argv):
        if argv[i] == "--docs":
            docs_dirs = [argv[i + 1]]
            i += 2
        else:
            paths.append(argv[i])
            i += 1
    if not paths:
        print(__doc__)
        return 2
    with open(TAXONOMY, "rb") as f:
        codes = {m["code"] for m in tomllib.load(f)["metric"]}
    texts = {}
    problems = 0
    facts = 0

    def problem(where, msg):
        nonlocal problems
        problems += 1
        print(f"{where}: {msg}")

    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{path}:{n}"
                try:
                    g = json.loads(line)
                except json.JSONDecodeError as e:
                    problem(where, f"not JSON: {e}")
                    continue
                facts += 1
                missing = [k for k in FIELDS if k not in g]
                if missing:
                    problem(where, f"missing fields {missing}")
                    continue
                doc = g["doc"]
                if doc not in texts:
                    for d in docs_dirs:
                        p = os.path.join(d, doc)
                        if os.path.exists(p):
                            with open(p, encoding="utf-8") as t:
                                texts[doc] = t.read()
                            break
                    else:
                        texts[doc] = None
                text = texts[doc]
                if text is None:
                    problem(where, f"document {doc} not found")
                    continue
                if g["code"] not in codes:
                    problem(where, f"unknown code {g['code']!r}")
                if g["kind"] not in ("actual", "target", "forecast"):
                    problem(where, f"bad kind {g['kind']!r}")
                if not isinstance(g["period"], str) or not PERIOD.match(g["period"]):
                    problem(where, f"bad period {g['period']!r}")
                q = g["quote"]
                if not isinstance(q, str) or not q:
                    problem(where, "empty quote")
                    continue
                if len(q) > 120:
                    problem(where, f"quote longer than 120 characters ({len(q)})")
                if q not in text:
                    problem(where, f"quote is not a substring of {doc}: {q!r}")
                if squash(g["metric"]) not in squash(q):
                    # A warning only: a metric may be named across a line break or a clause.
                    print(f"{where}: warning: metric {g['metric']!r} not in the quote")
                if g["value"] is None and g["yoy_pct"] is None and not g["other_growth"]:
                    problem(where, "no value, no yoy_pct, no other_growth")
                if g["value"] is not None:
                    if not isinstance(g["value"], (int, float)):
                        problem(where, f"value is not a number: {g['value']!r}")
                    elif not written(g["value"], q):
                        problem(where, f"value {g['value']} not written in the quote")
                    if not g["unit"]:
                        problem(where, "value without unit")
                if g["yoy_pct"] is not None:
                    if not isinstance(g["yoy_pct"], (int, float)):
                        problem(where, f"yoy_pct is not a number: {g['yoy_pct']!r}")
                    elif g["yoy_pct"] != 0 and not written(g["yoy_pct"], q):
                        problem(where, f"yoy_pct {g['yoy_pct']} not written in the quote")
                og = g["other_growth"]
                if og is not None:
                    if not isinstance(og, dict) or "basis" not in og or "pct" not in og:
                        problem(where, f"other_growth must be {{basis, pct}}: {og!r}")
                    elif not written(og["pct"], q):
                        problem(where, f"other_growth pct {og['pct']} not written in the quote")
    print(f"{facts} facts in {len(paths)} file(s), {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
