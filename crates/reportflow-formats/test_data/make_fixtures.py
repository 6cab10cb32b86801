#!/usr/bin/env python3
"""Builds the format fixtures of reportflow-formats from the core's seed reports.

    python3 crates/reportflow-formats/test_data/make_fixtures.py

For every seed `crates/reportflow-core/test_data/seeds/NAME.txt` it writes

- `html/NAME.html`: the report as a government-site page in GBK with a `<meta charset>`,
  site chrome (scripts, styles, navigation, breadcrumbs, a share bar, a footer), the article
  inside a layout table and a data table of publication details; characters outside GBK are
  numeric character references, `&` `<` `>` entities;
- `docx/NAME.docx`: a DOCX (zip + WordprocessingML) with the title as a heading, one
  paragraph per line and the same publication table;
- `pdf/excerpt_001_….pdf`: the start of seed 001 as a PDF under 1 MB, for `reportflow demo`;
- `pdf/NAME.pdf`: the report printed by Debian's Chromium (`chromium --headless
  --print-to-pdf`, with running page headers (title, date) and footers (page numbers) from
  CSS `@page` margin boxes)
  with the Noto CJK fonts (`apt-get install chromium fonts-noto-cjk`); skipped when Chromium
  is missing.

Deterministic except the PDFs (Chromium stamps dates). A one-time step: the fixtures are
committed, CI does not run this.
"""
import html
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
SEEDS = HERE.parents[1] / "reportflow-core" / "test_data" / "seeds"

INFO = [("索引号", "000014349/2021-00001"), ("发布机构", "区人民政府办公室"), ("公开方式", "主动公开")]


def blocks_of(seed):
    """The seed's blocks (runs of lines between blank lines) as (heading level, lines): a
    markdown heading (`## …`) is a heading, the first block of a seed without markdown
    headings is its title (level 1), everything else a paragraph (level 0) whose lines are
    kept as hard line breaks. Markdown hard breaks (two trailing spaces) are dropped."""
    text = seed.read_text(encoding="utf-8")
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    has_md = any(b[0].startswith("#") for b in blocks)
    out = []
    for i, block in enumerate(blocks):
        if len(block) == 1 and block[0].startswith("#"):
            level = len(block[0]) - len(block[0].lstrip("#"))
            out.append((min(level, 6), [block[0].lstrip("#").strip()]))
        else:
            out.append((1 if i == 0 and not has_md else 0, [l.strip() for l in block]))
    return out


def inline_html(line):
    """Escapes a line and renders markdown `**bold**` as <strong>."""
    parts = html.escape(line, quote=False).split("**")
    return "".join(
        p if i % 2 == 0 or i == len(parts) - 1 else f"<strong>{p}</strong>"
        for i, p in enumerate(parts)
    )


def plain(line):
    return line.replace("**", "")


def blocks_html(blocks):
    out = []
    for level, lines in blocks:
        tag = f"h{level}" if level else "p"
        out.append(f"<{tag}>" + "<br />\n".join(inline_html(l) for l in lines) + f"</{tag}>")
    return "\n".join(out)


def make_html(blocks):
    esc = html.escape
    title = plain(" ".join(blocks[0][1]))
    info = "".join(f"<th>{esc(k)}</th><td>{esc(v)}</td>" for k, v in INFO)
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(title)}_区人民政府网站</title>
<meta name="keywords" content="政府工作报告,计划,统计公报" />
<style type="text/css">body{{font-size:14px}} .nav li{{float:left}}</style>
<script type="text/javascript">var _hmt = _hmt || []; document.write("<p>增长12.5%</p>");</script>
</head>
<body>
<div class="top">
  <div class="header"><img src="/logo.png" alt="区人民政府" /> 欢迎访问区人民政府网站 | 无障碍 | 长者模式</div>
  <div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/tjsj/">统计数据：GDP增长6.1%</a></li></ul></div>
  <div class="search"><form action="/search"><input type="text" name="q" /><button>搜索</button></form></div>
</div>
<table class="layout" width="1000" border="0" cellspacing="0" cellpadding="0"><tr>
<td class="left-column" width="200" valign="top"><div class="sidebar"><h3>相关链接</h3><ul><li><a href="/a">国务院</a></li><li><a href="/b">市政府</a></li></ul></div></td>
<td class="content" valign="top">
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 规划计划</div>
<table class="xxgk-info" border="1"><tr>{info}</tr></table>
<div class="article"><div class="TRS_Editor">
{blocks_html(blocks)}
</div></div>
<div class="share">分享到：微信 微博 <a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</td></tr></table>
<div class="footer"><p>主办：区人民政府办公室 版权所有 京ICP备05000000号</p><p>地址：某路1号 邮编：101100</p></div>
<script>(function(){{var s=document.createElement("script");}})();</script>
</body>
</html>
"""
    return page.encode("gbk", errors="xmlcharrefreplace")


def w_run(text):
    parts = text.split("**")
    runs = []
    for i, p in enumerate(parts):
        if not p:
            continue
        bold = "<w:rPr><w:b/></w:rPr>" if i % 2 == 1 and i != len(parts) - 1 else ""
        runs.append(f'<w:r>{bold}<w:t xml:space="preserve">{html.escape(p, quote=False)}</w:t></w:r>')
    return "".join(runs)


def w_par(lines, style=None):
    if isinstance(lines, str):
        lines = [lines]
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}" + "<w:r><w:br/></w:r>".join(w_run(l) for l in lines) + "</w:p>"


def make_docx(blocks, out):
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paras = []
    for i, (level, lines) in enumerate(blocks):
        paras.append(w_par(lines, f"Heading{level}" if level else None))
        if i == 0:
            cells = "".join(
                f"<w:tc>{w_par(k)}</w:tc><w:tc>{w_par(v)}</w:tc>" for k, v in INFO
            )
            paras.append(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:document {ns}><w:body>{''.join(paras)}<w:sectPr/></w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("word/document.xml", document),
            ("word/_rels/document.xml.rels", doc_rels),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2021, 8, 5, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def make_pdf(blocks, out, chromium):
    esc = html.escape
    body = blocks_html(blocks)
    title = plain(" ".join(blocks[0][1]))
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>@page {{ size: A4; margin: 25mm 20mm;
  @top-center {{ content: "{esc(title)}"; font-size: 9pt; }}
  @top-right {{ content: "2021-08-05"; font-size: 9pt; }}
  @bottom-center {{ content: "— " counter(page) " —"; font-size: 9pt; }} }} body {{ font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt; line-height: 1.6; }}
h1 {{ font-size: 18pt; text-align: center; }} p {{ text-indent: 2em; margin: 0 0 .4em 0; text-align: justify; }}</style>
</head><body>{body}</body></html>"""
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "report.html"
        src.write_text(page, encoding="utf-8")
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer=false",
             f"--print-to-pdf={out}", src.as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
        )


def main():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for kind in ["html", "docx", "pdf"]:
        (HERE / kind).mkdir(exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        blocks = blocks_of(seed)
        (HERE / "html" / f"{seed.stem}.html").write_bytes(make_html(blocks))
        make_docx(blocks, HERE / "docx" / f"{seed.stem}.docx")
        if chromium and "--no-pdf" not in sys.argv:
            make_pdf(blocks, HERE / "pdf" / f"{seed.stem}.pdf", chromium)
        print(seed.stem)
    if chromium and "--no-pdf" not in sys.argv:
        # A short PDF for `reportflow demo` (the embedded broker takes records under 1 MB):
        # the title blocks and the first 12 lines of seed 001.
        blocks = blocks_of(SEEDS / "001_85ed7cce525b80c5.txt")
        excerpt = blocks[:2] + [(0, blocks[2][1][:12])]
        make_pdf(excerpt, HERE / "pdf" / "excerpt_001_85ed7cce525b80c5.pdf", chromium)


if __name__ == "__main__":
    main()
