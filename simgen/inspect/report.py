"""``simgen report``: one self-contained HTML file that shows what a dataset holds.

Summary, class balance, per-class histograms (distance, visibility, truncation, box height,
lidar points per box), lighting and weather per variant, a gallery of frames with their labels
drawn, and a section per scenario. Images are inlined as data URIs: no server, no network. With a
reference (a KITTI-format folder), the distance and size distributions are overlaid on it.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from simgen.core.atomic import write_text_atomic
from simgen.dataset.reader import Dataset, Variant, open_dataset
from simgen.inspect.preview import draw_labels
from simgen.labels.policy import box_height

GALLERY = 12


@dataclass(frozen=True)
class Seen:
    """One object in one camera frame."""

    scenario: str
    cls: str
    distance: float
    visibility: float
    truncation: float
    height_px: float
    lidar_points: int


@dataclass(frozen=True)
class Conditions:
    """One variant's lighting and weather, as the report plots them."""

    sun_elevation: float  # degrees
    fog: float  # extinction, 1/m
    rain: float  # mm/h: ``rain_rate`` when given (0 included), else ``rain`` scaled
    exposure: float  # EV

    @classmethod
    def of(cls, variant: Variant) -> Conditions:
        env = variant.instance.scenario.environment
        return cls(float(env.sun.elevation), float(env.fog), env.rain_mmh(), float(env.exposure_ev))


def _collect(dataset: Dataset) -> list[Seen]:
    out = []
    for variant in dataset:
        cameras = variant.cameras("rgb")
        if not cameras:
            continue
        camera = cameras[0]
        for frame in variant.frames():
            for obj in frame.labels.objects:
                view = obj.cameras.get(camera)
                if view is None or not view.in_view:
                    continue
                out.append(
                    Seen(
                        variant.scenario,
                        obj.semantic_class,
                        float(np.linalg.norm(obj.boxes.sensors[camera].center)),
                        view.visibility,
                        view.truncation,
                        box_height(view.amodal_box),
                        sum(obj.lidar_points.values()),
                    )
                )
    return out


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _jpeg(image: np.ndarray) -> str:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii")


def _plots(seen: list[Seen], reference: list | None) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots: dict[str, str] = {}
    counts = Counter(s.cls for s in seen)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(list(counts), list(counts.values()), color="#4a78b5")
    ax.set_ylabel("objects seen (object x frame)")
    ax.tick_params(axis="x", rotation=30)
    plots["class balance"] = _png(fig)
    plt.close(fig)
    fields = (
        ("distance", "distance (m)"),
        ("visibility", "visibility"),
        ("truncation", "truncation"),
        ("height_px", "2D box height (px)"),
        ("lidar_points", "lidar points per box"),
    )
    classes = sorted(counts)
    for field, label in fields:
        fig, ax = plt.subplots(figsize=(6, 3))
        for cls in classes:
            values = [getattr(s, field) for s in seen if s.cls == cls]
            ax.hist(values, bins=20, histtype="step", label=cls, linewidth=1.5)
        if reference is not None and field == "distance":
            ax.hist([r.distance for r in reference], bins=20, histtype="stepfilled", alpha=0.25,
                    color="grey", label="reference", density=False)  # fmt: skip
        ax.set_xlabel(label)
        ax.set_ylabel("count")
        ax.legend(fontsize=7)
        plots[label] = _png(fig)
        plt.close(fig)
    return plots


def _conditions_plot(dataset: Dataset) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seen = [Conditions.of(v) for v in dataset]
    fig, axes = plt.subplots(1, 4, figsize=(12, 2.6))
    for ax, field, label in zip(
        axes,
        ("sun_elevation", "fog", "rain", "exposure"),
        ("sun elevation (deg)", "fog (1/m)", "rain (mm/h)", "exposure (EV)"),
        strict=True,
    ):
        ax.hist([getattr(c, field) for c in seen], bins=12, color="#d08c2b")
        ax.set_xlabel(label)
    axes[0].set_ylabel("variants")
    url = _png(fig)
    plt.close(fig)
    return url


def _gallery(dataset: Dataset) -> list[tuple[str, str]]:
    items = []
    for variant in list(dataset)[:GALLERY]:
        cameras = variant.cameras("rgb")
        if not cameras:
            continue
        frames = list(variant.frames())
        frame = frames[len(frames) // 2]
        camera = cameras[0]
        image = cv2.cvtColor(frame.rgb(camera), cv2.COLOR_RGB2BGR)
        draw_labels(image, frame.labels, variant.camera(camera), camera)
        scale = 480 / image.shape[1]
        image = cv2.resize(
            image, (480, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA
        )
        items.append((f"{variant.key} frame {frame.index}", _jpeg(image)))
    return items


def build_report(root: str | Path, reference: str | Path | None = None) -> str:
    """The report's HTML text."""
    from simgen.inspect.stats import load_records

    dataset = open_dataset(root)
    seen = _collect(dataset)
    theirs = load_records(Path(reference)) if reference is not None else None
    esc = html.escape
    variants = list(dataset)
    frames = sum(len(v.manifest.frames) for v in variants)
    injectors = Counter(i.type for v in variants for i in v.instance.applied)
    software = variants[0].manifest.software if variants else {}
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>simgen report</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1300px}"
        "img{max-width:100%}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
        ".grid{display:flex;flex-wrap:wrap;gap:10px}.grid figure{margin:0}</style></head><body>",
        f"<h1>simgen dataset report: {esc(str(root))}</h1>",
        "<h2>Summary</h2><table>",
        f"<tr><th>variants</th><td>{len(variants)}</td></tr>",
        f"<tr><th>frames</th><td>{frames}</td></tr>",
        f"<tr><th>objects seen (object x frame)</th><td>{len(seen)}</td></tr>",
        f"<tr><th>classes</th><td>{esc(', '.join(sorted({s.cls for s in seen})))}</td></tr>",
        f"<tr><th>scenarios</th><td>{esc(', '.join(dataset.scenarios()))}</td></tr>",
        "<tr><th>injectors</th><td>"
        + esc(", ".join(f"{k} ({n})" for k, n in sorted(injectors.items())) or "none")
        + "</td></tr>",
        "<tr><th>seeds</th><td>"
        + esc(", ".join(str(s) for s in sorted({v.manifest.seed for v in variants})))
        + "</td></tr>",
        "<tr><th>software</th><td>"
        + esc(", ".join(f"{k} {v}" for k, v in sorted(software.items())))
        + "</td></tr></table>",
    ]
    plots = _plots(seen, theirs)
    parts.append("<h2>Classes and labels</h2><div class='grid'>")
    parts += [f"<figure><img src='{url}' alt='{esc(name)}'><figcaption>{esc(name)}</figcaption>"
              "</figure>" for name, url in plots.items()]  # fmt: skip
    parts.append("</div>")
    parts.append("<h2>Lighting and weather</h2>")
    parts.append(f"<img src='{_conditions_plot(dataset)}' alt='lighting and weather'>")
    if theirs is not None:
        from simgen.inspect.stats import compare, load_records

        result = compare(load_records(Path(root)), theirs)
        parts.append(f"<h2>Against the reference {esc(str(reference))}</h2>")
        parts.append(f"<p>class balance: total variation {result['class_balance_tv']:.3f}</p>")
        parts.append("<table><tr><th>class</th><th>field</th><th>Wasserstein</th><th>KS</th></tr>")
        for cls, fields in result["classes"].items():
            for field, value in fields.items():
                parts.append(
                    f"<tr><td>{esc(cls)}</td><td>{field}</td>"
                    f"<td>{value['wasserstein']:.3f}</td><td>{value['ks']:.3f}</td></tr>"
                )
        parts.append("</table>")
    parts.append("<h2>Gallery</h2><div class='grid'>")
    parts += [f"<figure><img src='{url}' alt='{esc(name)}'><figcaption>{esc(name)}</figcaption>"
              "</figure>" for name, url in _gallery(dataset)]  # fmt: skip
    parts.append("</div>")
    by_scenario: dict[str, list] = defaultdict(list)
    for v in variants:
        by_scenario[v.scenario].append(v)
    for name, group in sorted(by_scenario.items()):
        objects = Counter(s.cls for s in seen if s.scenario == name)
        parts.append(f"<h2>Scenario {esc(name)}</h2>")
        description = group[0].instance.scenario.description
        parts.append(f"<p>{esc(description)}</p><table><tr><th>variant</th><th>frames</th>"
                     "<th>seed</th><th>injectors</th></tr>")  # fmt: skip
        for v in group:
            kinds = ", ".join(i.type for i in v.instance.applied) or "none"
            parts.append(f"<tr><td>{v.variant}</td><td>{len(v.manifest.frames)}</td>"
                         f"<td>{v.manifest.seed}</td><td>{esc(kinds)}</td></tr>")  # fmt: skip
        listed = ", ".join(f"{k} {n}" for k, n in sorted(objects.items()))
        parts.append(f"</table><p>objects seen: {esc(listed)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(root: str | Path, out: str | Path, reference: str | Path | None = None) -> Path:
    write_text_atomic(out, build_report(root, reference))
    return Path(out)
