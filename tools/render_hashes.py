"""Render every example scenario briefly and list the SHA-256 of each file written, so that two
commits can be compared byte for byte (a refactor must not change a single output byte).

    python tools/render_hashes.py --out /tmp/hashes-new.json
    python tools/render_hashes.py --compare /tmp/hashes-old.json /tmp/hashes-new.json

With ``--pixels``, a PNG is hashed by its decoded pixels instead of its bytes: two encoders of
the same images compare equal (the manifests, which hold the files' hashes, still differ).

Each scenario's first variant is rendered for a few frames with one worker, through the same
`simgen render` command a user runs. The scenario files are copied to one fixed folder first,
because a manifest records the path of its scenario file: two checkouts then compare equal.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = Path(tempfile.gettempdir()) / "simgen-render-hashes"
SCENARIOS = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("scenarios/appearance/*.yaml"),
        *ROOT.glob("scenarios/realism/*.yaml"),
    ],
    key=lambda p: p.relative_to(ROOT).as_posix(),
)


def content(path: Path, pixels: bool) -> bytes:
    """A file's bytes; with ``pixels``, a PNG's decoded pixels (type, shape and values)."""
    if not (pixels and path.suffix == ".png"):
        return path.read_bytes()
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return f"{image.dtype} {image.shape}".encode() + image.tobytes()


def file_hashes(root: Path, pixels: bool = False) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root`` (``content``), in path order."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(content(p, pixels)).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def render_all(frames: int, simgen: str, only: str | None, pixels: bool) -> dict[str, str]:
    hashes: dict[str, str] = {}
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.copytree(ROOT / "scenarios", STAGE / "scenarios")  # with the maps scenarios name
    for source in SCENARIOS:
        if only and not fnmatch.fnmatch(source.stem, only):
            continue
        scenario = STAGE / source.relative_to(ROOT)
        out = STAGE / "out" / scenario.stem
        command = [simgen, "render", str(scenario), "--out", str(out), "--variants", "1"]
        command += ["--frames", str(frames), "--workers", "1", "--quiet"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        found = file_hashes(out, pixels)
        hashes.update({f"{scenario.stem}/{k}": v for k, v in found.items()})
    shutil.rmtree(STAGE, ignore_errors=True)
    return hashes


def compare(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """One line per file that is missing, new or different; empty when byte-identical. Only the
    scenarios ``new`` rendered are compared (``--only``)."""
    rendered = {k.split("/", 1)[0] for k in new}
    old = {k: v for k, v in old.items() if k.split("/", 1)[0] in rendered}
    lines = [f"missing: {k}" for k in sorted(old.keys() - new.keys())]
    lines += [f"new: {k}" for k in sorted(new.keys() - old.keys())]
    lines += [f"differs: {k}" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the hash list here (JSON)")
    parser.add_argument("--frames", type=int, default=3)
    parser.add_argument("--simgen", default=str(Path(sys.executable).with_name("simgen")))
    parser.add_argument("--only", help="render only the scenarios whose name matches this glob")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    parser.add_argument("--pixels", action="store_true", help="hash PNGs by their pixels")
    args = parser.parse_args()
    if args.compare:
        old, new = (json.loads(p.read_text())["files"] for p in args.compare)
        lines = compare(old, new)
        print("\n".join(lines) or f"byte-identical: {len(old)} files")
        return 1 if lines else 0
    record = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "frames": args.frames,
        "pixels": args.pixels,
        "files": render_all(args.frames, args.simgen, args.only, args.pixels),
    }
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
