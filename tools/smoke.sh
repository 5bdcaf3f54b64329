#!/usr/bin/env bash
# Smoke test of simgen on one Python: a fresh virtual environment, `pip install .` of the repo
# this is run in (its root), then validate, render, verify and export the default scenario and
# check what comes out.
#   usage: tools/smoke.sh PYTHON OUTDIR      e.g. tools/smoke.sh python3.13 /tmp/smoke313
# OUTDIR is emptied first; it gets venv/, data/, kitti/, coco/, sha256.txt and versions.txt.
# Python 3.12+ has no pybullet wheel: pip compiles it (a C++ compiler and the Python headers;
# ~9 CPU-minutes) unless pip's wheel cache or PIP_FIND_LINKS already holds one.
set -euo pipefail
PY=${1:?usage: smoke.sh PYTHON OUTDIR}
OUT=${2:?usage: smoke.sh PYTHON OUTDIR}
if ! grep -q '^name = "simgen"' pyproject.toml 2>/dev/null; then
  echo "smoke: run this from the simgen repository root" >&2
  exit 2
fi
REPO=$(pwd)
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VENV=$OUT/venv
BIN=$VENV/bin
step() { echo "smoke [$(date +%T)] $*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

step "creating $VENV with $("$PY" --version 2>&1)"
"$PY" -m venv "$VENV"
"$BIN/python" -m pip install --quiet --upgrade pip

t0=$(date +%s)
step "pip install $REPO (Python 3.12+: pybullet may be compiled, minutes)"
"$BIN/python" -m pip install --quiet "$REPO"
step "installed in $(($(date +%s) - t0)) s"
"$BIN/python" -m pip check || fail "pip check"
if "$BIN/python" -m pip show --quiet opencv-python-headless >/dev/null 2>&1; then
  fail "opencv-python-headless was pulled in beside opencv-contrib-python-headless"
fi
"$BIN/python" - <<'PY' | tee "$OUT/versions.txt"
import importlib.metadata as md, platform
print("python", platform.python_version())
for dist in ("simgen", "numpy", "pybullet", "pyrender", "pyrender-maintained", "PyOpenGL",
             "open3d-cpu", "open3d", "trimesh", "opencv-contrib-python-headless", "scipy"):
    try:
        print(dist, md.version(dist))
    except md.PackageNotFoundError:
        pass
PY

# the installed package, not the source tree: run from OUTDIR
SCENARIO=$REPO/scenarios/default.yaml
cd "$OUT"
step "simgen validate"
"$BIN/simgen" validate "$SCENARIO"
step "simgen render (2 frames, 1 variant, 1 worker)"
t0=$(date +%s)
"$BIN/simgen" render "$SCENARIO" --out "$OUT/data" --frames 2 --variants 1 --workers 1 --quiet
step "rendered in $(($(date +%s) - t0)) s"
step "simgen verify"
"$BIN/simgen" verify "$OUT/data"
step "simgen export kitti, coco"
"$BIN/simgen" export "$OUT/data/default" --format kitti --out "$OUT/kitti"
"$BIN/simgen" export "$OUT/data/default" --format coco --out "$OUT/coco"

step "checking outputs"
V=$OUT/data/default/0000
for f in manifest.json calibration.json classes.json \
         cam_front/rgb/000000.png cam_front/rgb/000001.png cam_front/depth/000001.png \
         cam_front/semantic/000001.png cam_front/instance/000001.png \
         lidar_top/000000.bin lidar_top/000001.bin labels/000000.json labels/000001.json; do
  [ -s "$V/$f" ] || fail "render: $V/$f missing or empty"
done
for f in training/image_2/000001.png training/label_2/000001.txt training/velodyne/000001.bin \
         training/calib/000001.txt; do
  [ -s "$OUT/kitti/$f" ] || fail "kitti export: $OUT/kitti/$f missing or empty"
done
"$BIN/python" - "$OUT" <<'PY' || fail "images or annotations do not check out"
import json, sys
from pathlib import Path
import cv2, numpy as np
out = Path(sys.argv[1])
coco = json.loads((out / "coco/annotations.json").read_text())
assert len(coco["images"]) == 2, f"coco: {len(coco['images'])} images, expected 2"
for image in coco["images"]:
    assert (out / "coco/images" / Path(image["file_name"]).name).is_file(), image["file_name"]
rgb = cv2.imread(str(out / "data/default/0000/cam_front/rgb/000000.png"))
assert rgb is not None and rgb.std() > 5, "the first RGB frame is blank"
points = np.fromfile(out / "data/default/0000/lidar_top/000000.bin", dtype=np.float32)
assert points.size > 1000 and points.size % 4 == 0, f"lidar: {points.size} floats"
print(f"coco: {len(coco['images'])} images, {len(coco['annotations'])} annotations; "
      f"rgb {rgb.shape} std {rgb.std():.1f}; lidar {points.size // 4} points")
PY
(cd "$OUT/data" && find . -type f ! -name manifest.json ! -name .simgen-export.json | sort |
  xargs sha256sum) > "$OUT/sha256.txt"
step "OK: $(wc -l < "$OUT/sha256.txt") dataset files hashed in $OUT/sha256.txt"
