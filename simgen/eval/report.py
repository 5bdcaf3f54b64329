"""An evaluation's report: Markdown (tables) or self-contained HTML (tables and charts).

It leads with the headline metrics over everything, then breaks them down by injector, by edge
case against its clean twin (the drop), by distance and visibility, and lists regressions.
"""

from __future__ import annotations

import html
from pathlib import Path

from simgen.core.atomic import write_text_atomic
from simgen.eval.baseline import Regression
from simgen.eval.metric_keys import MetricKey

HEADLINES = (
    "3d_ap/Car/moderate",
    "bev_ap/Car/moderate",
    "recall/Car/moderate",
    "2d_ap/Car",
    "2d_ap/Pedestrian",
    "nuscenes_map",
    "miou",
    "depth_absrel",
)


def _group(metrics: dict[str, float], prefix: str) -> dict[str, dict[str, float]]:
    """slice name -> {metric: value} for the slices starting with ``prefix``."""
    out: dict[str, dict[str, float]] = {}
    for text, value in metrics.items():
        key = MetricKey.parse(text)
        if key.slice.startswith(prefix):
            out.setdefault(key.slice.split("=", 1)[-1], {})[key.metric] = value
    return out


def _headlines(metrics: dict[str, float]) -> list[str]:
    present = {MetricKey.parse(k).metric for k in metrics}
    return [h for h in HEADLINES if h in present]


def table(rows: dict[str, dict[str, float]], columns: list[str], markdown: bool) -> str:
    if not rows or not columns:
        return ""
    if markdown:
        head = "| | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns) + "\n"
        body = "".join(
            f"| {name} | " + " | ".join(_cell(v.get(c)) for c in columns) + " |\n"
            for name, v in sorted(rows.items())
        )
        return head + body + "\n"
    head = "<tr><th></th>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>"
    body = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td>{_cell(v.get(c))}</td>" for c in columns)
        + "</tr>"
        for name, v in sorted(rows.items())
    )
    return f"<table>{head}{body}</table>"


def page_head(title: str) -> str:
    """A self-contained HTML page's start, up to its heading (close it with </body></html>)."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>"
    )


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _chart(rows: dict[str, dict[str, float]], metric: str, title: str) -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in sorted(rows) if metric in rows[n]]
    if not names:
        return ""
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1.2))
    ax.barh(names, [rows[n][metric] for n in names], color="#4a78b5")
    ax.set_xlabel(metric)
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"


def build(metrics: dict[str, float], title: str, failed: list[Regression], markdown: bool) -> str:
    heads = _headlines(metrics)
    sections = [
        ("Over everything", _group(metrics, "all")),
        ("By injector", _group(metrics, "injector=")),
        ("By scenario", _group(metrics, "scenario=")),
        ("By light", _group(metrics, "light=")),
    ]
    drops = _group(metrics, "pair=")
    drop_columns = [f"drop/{h}" for h in heads if any(f"drop/{h}" in v for v in drops.values())]
    out: list[str] = []
    if markdown:
        out.append(f"# {title}\n\n")
        for name, rows in sections:
            if rows:
                out.append(f"## {name}\n\n" + table(rows, heads, True))
        if drops:
            out.append("## Edge cases against their clean twins\n\n")
            out.append(table(drops, drop_columns, True))
        if failed:
            out.append("## Regressions\n\n")
            out += [f"- {r}\n" for r in failed]
        return "".join(out)
    out.append(page_head(title))
    for name, rows in sections:
        if rows:
            out.append(f"<h2>{name}</h2>{table(rows, heads, False)}")
            if name == "By injector" and heads:
                out.append(_chart(rows, heads[0], f"{heads[0]} by injector"))
    if drops:
        out.append("<h2>Edge cases against their clean twins</h2>")
        out.append(table(drops, drop_columns, False))
        if drop_columns:
            out.append(_chart(drops, drop_columns[0], f"{drop_columns[0]} per edge case"))
    if failed:
        items = "".join(f"<li>{html.escape(str(r))}</li>" for r in failed)
        out.append(f"<h2>Regressions</h2><ul>{items}</ul>")
    out.append("</body></html>")
    return "".join(out)


def write_report(
    path: str | Path, metrics: dict[str, float], title: str, failed: list[Regression]
) -> Path:
    markdown = str(path).endswith(".md")
    write_text_atomic(path, build(metrics, title, failed, markdown))
    return Path(path)
