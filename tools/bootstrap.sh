#!/usr/bin/env bash
# Sets up everything simgen needs, idempotently: the system libraries (through apt when it is
# available), a virtual environment in .venv, and the package with its test and docs extras.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

# --- 1. system libraries -------------------------------------------------------------------
# open3d needs libusb-1.0; pyrender renders headless through EGL with Mesa's software driver.
if [ "$(uname -s)" = "Linux" ]; then
  have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
  missing=()
  have 'libusb-1.0.so.0' || missing+=(libusb-1.0-0)
  have 'libEGL.so.1' || missing+=(libegl1)
  have 'libEGL_mesa.so.0' || missing+=(libegl-mesa0)
  have 'libGL.so.1' || missing+=(libgl1)
  dri=no
  for f in /usr/lib/*/dri/swrast_dri.so /usr/lib/dri/swrast_dri.so /usr/lib64/dri/swrast_dri.so; do
    [ -e "$f" ] && dri=yes
  done
  [ "$dri" = yes ] || missing+=(libgl1-mesa-dri)
  if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
      echo "simgen setup: installing system libraries: ${missing[*]}"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      cat >&2 <<MSG
simgen setup: these system libraries are missing: ${missing[*]}
Install them, then run this again:
  Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  Fedora/RHEL:    sudo dnf install libusb1 mesa-libEGL mesa-libGL mesa-dri-drivers
  Arch:           sudo pacman -S libusb mesa
MSG
      exit 1
    fi
  fi
fi

# The report's browser test drives Debian's chromium with selenium; without apt it is skipped.
if [ "$(uname -s)" = "Linux" ] && ! command -v chromedriver >/dev/null 2>&1 &&
   command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  echo "simgen setup: installing chromium and chromium-driver (for the report's browser test)"
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver >/dev/null; } ||
    echo "simgen setup: chromium could not be installed; the browser test will be skipped" >&2
fi

# --- 2. a Python >= 3.11 -------------------------------------------------------------------
# 3.11 first: pybullet ships a wheel for it; 3.12 and 3.13 compile pybullet (minutes)
PY=""
for candidate in ${PYTHON:-} python3.11 python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY=$candidate; break
  fi
done
if [ -z "$PY" ]; then
  echo "simgen setup: needs Python >= 3.11 (set PYTHON=/path/to/python3.11 if it is not on PATH)" >&2
  exit 1
fi

# --- 3. virtual environment and package ----------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  echo "simgen setup: creating $VENV with $($PY --version)"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.simgen-installed"
pyver=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# the versions the suite last passed with, where this Python has a list (tools/constraints/)
lock="tools/constraints/py$pyver.txt"
pins=()
[ -f "$lock" ] && pins=(-c "$lock")
want=$(cat pyproject.toml ${pins[@]+"$lock"} | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "simgen setup: installing simgen and its test and docs extras into $VENV (about a minute)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  if "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    # 3.12+: pyproject takes pyrender's fork pyrender-maintained (same package dir pyrender/);
    # a pyrender 0.1.45 left from an earlier setup would share its files: remove it first
    if "$VENV/bin/python" -m pip show --quiet pyrender >/dev/null 2>&1; then
      "$VENV/bin/python" -m pip uninstall --quiet -y pyrender pyrender-maintained 2>/dev/null
    fi
    # pybullet has no wheel for 3.12+: pip compiles it, with a C++ compiler and Python.h
    if ! "$VENV/bin/python" -m pip show --quiet pybullet >/dev/null 2>&1; then
      need=()
      command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || need+=(g++)
      "$VENV/bin/python" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' ||
        need+=("python$pyver-dev")
      if [ ${#need[@]} -gt 0 ]; then
        if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
          SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
          echo "simgen setup: installing what compiling pybullet needs: ${need[*]}"
          $SUDO apt-get update -qq
          DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
        else
          echo "simgen setup: Python $pyver has no pybullet wheel; compiling it needs: ${need[*]}" \
               "(a C++ compiler and Python $pyver's headers). Install them, or use Python 3.11." >&2
          exit 1
        fi
      fi
      echo "simgen setup: Python $pyver has no pybullet wheel: pip builds pybullet from source" \
           "(minutes: about 9 CPU-minutes; pip caches the wheel for the next environment)"
    fi
  fi
  # both OpenCV builds provide the module cv2: keep only the contrib one that simgen needs
  "$VENV/bin/python" -m pip uninstall --quiet -y opencv-python-headless opencv-python 2>/dev/null || true
  "$VENV/bin/python" -m pip install --quiet ${pins[@]+"${pins[@]}"} -e '.[test,docs]'
  # test-only client: its numpy<2 pin is stale, its run-time needs come with the test extras
  "$VENV/bin/python" -m pip install --quiet --no-deps 'nuscenes-devkit==1.2.0'
  # pip may have pulled the plain build back in for another package: the contrib one wins
  if "$VENV/bin/python" -m pip show --quiet opencv-python-headless >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip uninstall --quiet -y opencv-python-headless
    "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps ${pins[@]+"${pins[@]}"} \
      opencv-contrib-python-headless
  fi
  echo "$want" > "$stamp"
fi
