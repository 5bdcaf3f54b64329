"""Run `simgen bench` on several settings taken in turn, round after round, and compare them.

    python benchmarks/alternate.py --rounds 6 --outputs plain,flow,scene_flow,normals
    python benchmarks/alternate.py --rounds 6 --tree old=/tmp/simgen-old --tree new=.

A shared or virtual machine's CPU per frame wanders by 10-20 % from run to run, more than most
changes are worth: a figure means something only beside a baseline measured in the same
minutes. Each round runs every setting (a source tree and its opt-in outputs) once, the order
reversed every other round (a run pays for the one before it: give an even number of rounds);
the table gives each setting's median and its ratio to the first setting, as the ratio of the
medians and as the median of the per-round ratios (which cancels the drift between rounds),
with the range of those ratios: a difference inside it is not shown. ``--series``
also files every run as a record (``benchmarks/record.py``), so the docs' tables come from
them.

A tree is a checkout of simgen; its own ``simgen`` and ``simgen_assets`` are imported (put
first on PYTHONPATH) and the interpreter is this one's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    tree: str  # its name
    path: Path
    outputs: str  # "plain": none added

    @property
    def name(self) -> str:
        return self.outputs if self.tree == "this" else f"{self.tree}:{self.outputs}"


def _environment(name: str, path: Path, shims: Path) -> dict[str, str]:
    """PYTHONPATH with the tree's package and its assets first (``simgen_assets`` lives in the
    tree's ``assets`` folder, which an editable install would point elsewhere)."""
    shim = shims / name
    shim.mkdir(parents=True, exist_ok=True)
    link = shim / "simgen_assets"
    if not link.exists():
        link.symlink_to(path / "assets", target_is_directory=True)
    rest = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(shim), str(path), rest) if p),
    }


def run(setting: Setting, frames: int, out: Path, shims: Path) -> dict:
    command = [sys.executable, "-m", "simgen.cli", "bench", "--frames", str(frames)]
    command += ["--naive-frames", "1", "--json", str(out)]
    if setting.outputs != "plain":
        command += ["--outputs", setting.outputs]
    subprocess.run(
        command, cwd=setting.path, env=_environment(setting.tree, setting.path, shims), check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return json.loads(out.read_text())


def _commit(path: Path) -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=path, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


# what each table gives: the bench's JSON key, and its heading
METRICS = {
    "cpu_ms_per_frame": "CPU-ms/frame",
    "pipelined_frame_ms": "wall ms/frame",
}


def _in_turn(settings: list[Setting], round_: int) -> list[tuple[int, Setting]]:
    """The settings in this round's order: as given in odd rounds, reversed in even ones. A run
    pays for the one before it (on this machine the second of two identical runs costs about
    5 % more CPU a frame), so a fixed order would bias every ratio; reversing every other round
    cancels it over an even number of rounds."""
    order = list(enumerate(settings))
    return order if round_ % 2 else order[::-1]


def report(
    settings: list[Setting], values: dict[str, list[float]], unit: str = "CPU-ms/frame"
) -> str:
    first = settings[0].name
    lines = [
        f"{'setting':28s} {'median':>7s} {'vs first':>9s} {'per round':>10s} {'range':>11s}"
        f"  runs ({unit})"
    ]
    for s in settings:
        runs = values[s.name]
        median = statistics.median(runs)
        ratio = median / statistics.median(values[first])
        each = [a / b for a, b in zip(runs, values[first], strict=True)]
        # the spread of the per-round ratios: a difference inside it is the machine's, not yours
        spread = f"{min(each):.2f}-{max(each):.2f}"
        shown = ", ".join(f"{v:.0f}" for v in runs)
        lines.append(
            f"{s.name:28s} {median:7.1f} {ratio:8.2f}x {statistics.median(each):9.2f}x "
            f"{spread:>11s}  {shown}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    tree_help = "a checkout to measure (default: this one); give several to compare"
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH", help=tree_help)
    outputs_help = "comma-separated: plain (no opt-in output) or what --outputs takes"
    parser.add_argument("--outputs", default="plain", help=outputs_help)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--series", help="file every run as a record of this series")
    args = parser.parse_args()
    trees = [t.split("=", 1) for t in args.tree] or [["this", str(ROOT)]]
    settings = [
        Setting(name, Path(path).resolve(), outputs)
        for name, path in trees
        for outputs in args.outputs.split(",")
    ]
    values: dict[str, dict[str, list[float]]] = {
        key: {s.name: [] for s in settings} for key in METRICS
    }
    with tempfile.TemporaryDirectory(prefix="simgen-alternate-") as tmp:
        folder = Path(tmp)
        for round_ in range(1, args.rounds + 1):
            for i, setting in _in_turn(settings, round_):
                out = folder / f"{round_}-{i}.json"
                measured = run(setting, args.frames, out, folder / "shims")
                for key, runs in values.items():
                    runs[setting.name].append(measured[key])
                if args.series:
                    extra = "" if setting.outputs == "plain" else f" --outputs {setting.outputs}"
                    subprocess.run(
                        [sys.executable, str(ROOT / "benchmarks" / "record.py"), str(out),
                         "--series", args.series, "--commit", _commit(setting.path),
                         "--command", f"simgen bench --frames {args.frames}{extra}",
                         "--summary", f"round {round_} of {args.rounds}: {setting.name}"],
                        check=True, stdout=subprocess.DEVNULL,
                    )  # fmt: skip
            print(f"round {round_} of {args.rounds} done", file=sys.stderr)
    print("\n\n".join(report(settings, values[key], unit) for key, unit in METRICS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
