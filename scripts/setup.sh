#!/usr/bin/env bash
# Sets up everything handbook needs on a fresh Debian/Ubuntu machine with python3 >= 3.10:
# the system libraries Qt needs (installed with apt-get when run as root, named otherwise),
# a virtual environment in .venv and the package with its dependencies.
# Usage: bash scripts/setup.sh [dev]   ("dev" adds the test, lint and build tools)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Qt's xcb platform plugin and fonts; venv; Xvfb/xdotool/strace for the tests;
# binutils (strip, readelf) and gcc for packaging/build.sh; desktop-file-utils for its tests.
runtime_pkgs=(python3-venv libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1 libdbus-1-3 libglib2.0-0
  fonts-dejavu-core)
test_pkgs=(xvfb xdotool x11-utils strace appstream binutils desktop-file-utils gcc)

want=("${runtime_pkgs[@]}")
[[ ${1:-} == dev ]] && want+=("${test_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    echo "setup: installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq >/dev/null
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages first: ${missing[*]}" >&2
    exit 2
  fi
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "setup: handbook needs Python >= 3.10 (found $(python3 --version))" >&2; exit 2; }
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# --prefer-binary: a wheel of an older version rather than building the newest from source
# (atheris has no wheel for Python 3.10 after 2.3, and building it needs clang and libFuzzer).
if [[ ${1:-} == dev ]]; then
  .venv/bin/python -m pip install -q --prefer-binary -e ".[dev,build]"
else
  .venv/bin/python -m pip install -q --prefer-binary -e .
fi
