"""The page's stylesheet (inlined into every page: no external font, image or script)."""

from __future__ import annotations

from collections.abc import Sequence

from imr.show.marks import Mark

CSS = """
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2933;margin:0;
 padding:16px 20px;background:#f5f7fa;-webkit-print-color-adjust:exact;print-color-adjust:exact}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:0 0 8px}
.meta{color:#52606d;margin:0 0 6px;font-size:13px}.meta code{font-size:12px}
.errors{margin:6px 0;padding:6px 10px;background:#fff4e6;border-left:4px solid #d9480f}
.errors li{margin:2px 0}.review{margin:6px 0;padding:6px 10px;background:#ebfbee;border-left:4px solid #2b8a3e}
.legend{color:#52606d;font-size:12px;margin:4px 0 12px}
.legend i{display:inline-block;width:22px;height:11px;vertical-align:middle;margin:0 3px 0 8px;
 border:1.5px solid #1971c2;background:rgba(25,113,194,.10)}
.legend i.doubt{border:2px dashed #d9480f;background:rgba(217,72,15,.14)}
main{display:grid;grid-template-columns:minmax(340px,38%) 1fr;gap:18px;align-items:start}
.values{position:sticky;top:0;max-height:100vh;overflow:auto;background:#fff;border:1px solid #d8dee4;
 border-radius:6px;padding:10px}
table{border-collapse:collapse;width:100%}
th,td{padding:3px 6px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{font-weight:normal;white-space:nowrap}th code{font-size:12px;color:#3e4c59}
td{word-break:break-word}
a.value{color:#1f2933;text-decoration:none;border-bottom:1px dotted #1971c2}
a.value:hover{background:#e7f5ff}
.unread{color:#9aa5b1;font-style:italic}
.where{color:#7b8794;font-size:11px;margin-left:6px;white-space:nowrap}.where a{color:#1971c2}
tr.doubt{background:#fff4e6}tr.doubt th{border-left:4px solid #d9480f}
.flag{display:inline-block;margin-left:6px;padding:0 5px;border-radius:3px;background:#d9480f;color:#fff;
 font-size:11px;white-space:nowrap}
tr:target{background:#ffe066}tr:target th{border-left:4px solid #f08c00}
.unplaced{margin-top:10px;font-size:12px;color:#52606d}
.pages{min-width:0}
figure.page{margin:0 0 18px;background:#fff;border:1px solid #d8dee4;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.sheet{position:relative}.sheet img{display:block;width:100%;height:auto}
figcaption{font-size:12px;color:#7b8794;padding:3px 8px;border-top:1px solid #e4e7eb}
a.box{position:absolute;display:block;border:1.5px solid rgba(25,113,194,.8);background:rgba(25,113,194,.06)}
a.box .label{position:absolute;left:0;bottom:100%;padding:0 3px;font:10px/1.3 "DejaVu Sans Mono",ui-monospace,
 monospace;color:#fff;background:rgba(25,113,194,.72);white-space:nowrap;pointer-events:none}
a.box.doubt{border:2px dashed #d9480f;background:rgba(217,72,15,.14)}
a.box.doubt .label{background:#d9480f}
a.box:hover,a.box:target{border:3px solid #f08c00;background:rgba(250,176,5,.35);z-index:3}
a.box:hover .label,a.box:target .label{background:#f08c00;z-index:3}
.lines{background:#fff;border:1px solid #d8dee4;padding:8px 0;font:12px/1.45 ui-monospace,"DejaVu Sans Mono",
 Menlo,Consolas,monospace}
.line{display:flex;gap:8px;padding:0 8px}.line .no{flex:0 0 3.5em;text-align:right;color:#9aa5b1;user-select:none}
.line .txt{flex:1;white-space:pre-wrap;word-break:break-word}
.line.marked{background:#e7f5ff}.line.doubt{background:#fff4e6}
.tags{flex:0 1 auto;text-align:right}
a.tag{display:inline-block;margin-left:4px;padding:0 4px;border-radius:3px;font-size:10px;color:#fff;
 background:#1971c2;text-decoration:none}
a.tag.doubt{background:#d9480f}
a.tag:target,a.tag:hover{background:#f08c00;outline:2px solid #f08c00}
.line:has(a.tag:target){background:#ffe066}
.pagebreak{margin:6px 0;padding:2px 8px;border-top:2px dashed #cbd2d9;color:#7b8794;font-size:11px}
@media print{
 body{background:#fff;padding:0}main{display:block}
 .values{position:static;max-height:none;overflow:visible;border:0;padding:0;margin-bottom:12px}
 figure.page{break-before:page;break-inside:avoid;box-shadow:none;max-width:100%!important}
 .line{break-inside:avoid}
}
"""


def hover_rules(marks: Sequence[Mark]) -> str:
    """CSS that highlights a value's marks while its row is hovered (no script needed)."""
    return "".join(
        f"body:has(#{m.row}:hover) #{m.anchor}{{border:3px solid #f08c00;background:rgba(250,176,5,.35);z-index:3}}"
        for m in marks
    )
