#!/usr/bin/env bash
# Builds handbook's standalone executables with PyInstaller (packaging/handbook.spec):
#   dist/handbook/                            the folder build (run dist/handbook/handbook)
#   dist/handbook-<version>-linux-x86_64      the single file
# Usage: bash packaging/build.sh [--onefile-only | --onedir-only] [--distpath DIR] [--workpath DIR]
# Needs: the project's .venv with the "build" extra (bash scripts/setup.sh dev), and binutils
# (strip, readelf) and gcc (links the trimmed ICU data library) on Linux.
set -euo pipefail
cd "$(dirname "$0")/.."

only=() distpath=dist workpath=build/pyinstaller
while (($#)); do
  case $1 in
    --onefile-only | --onedir-only) only=("$1") ;;
    --distpath) distpath=$2; shift ;;
    --workpath) workpath=$2; shift ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

python=.venv/bin/python
[[ -x $python ]] || python=$(command -v python3)

missing=()
"$python" -c 'import PyInstaller' 2>/dev/null ||
  missing+=("PyInstaller for $python (bash scripts/setup.sh dev, or: $python -m pip install -e '.[build]')")
"$python" -c 'import PySide6, markdown, pymdownx, pygments, nh3, rapidfuzz' 2>/dev/null ||
  missing+=("handbook's dependencies for $python (bash scripts/setup.sh dev)")
if [[ $(uname -s) == Linux ]]; then
  for tool in strip readelf; do
    command -v "$tool" >/dev/null || missing+=("$tool (Debian package binutils)")
  done
  command -v gcc >/dev/null || missing+=("gcc (Debian package gcc: links the trimmed ICU data)")
fi
if ((${#missing[@]})); then
  echo "build.sh: cannot build, missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

version=$(PYTHONPATH=src "$python" -c 'import handbook; print(handbook.__version__)')
echo "build.sh: building handbook $version with $("$python" -m PyInstaller --version)"
start=$SECONDS
"$python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$distpath" --workpath "$workpath" packaging/handbook.spec -- "${only[@]}"

echo "build.sh: done in $((SECONDS - start)) s:"
for built in "$distpath"/handbook "$distpath"/handbook-"$version"-*; do
  [[ -e $built ]] && printf '  %-50s %s\n' "$built" "$(du -sh "$built" | cut -f1)"
done
exit 0
