#!/usr/bin/env bash
# Starts handbook RUNS times on a headless Wayland compositor (weston) and tells, from a
# screenshot taken WAIT seconds after each start, whether the whole window was drawn or only
# start-up's first frame ("Opening the book..."). A manual check, not part of the test suite:
# it needs weston, and what it looks for is a race (seen under load; --load adds two busy loops).
#
#   bash tests/reliability/scripts/wayland_check.sh [--runs N] [--wait S] [--load] [-- COMMAND...]
#
# COMMAND defaults to .venv/bin/python -m handbook. Needs: weston (Debian: apt-get install
# weston; it brings weston-screenshooter). Each screenshot is kept in the folder printed at the
# end. A whole window makes a PNG of 150-250 kB; the first frame alone, under 100 kB.
set -euo pipefail
cd "$(dirname "$0")/../../.."

runs=10 wait=3 load=0
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --wait) wait=$2; shift ;;
    --load) load=1 ;;
    --) shift; break ;;
    *) echo "wayland_check: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command=("$@")
((${#command[@]})) || command=(.venv/bin/python -m handbook)
for tool in weston weston-screenshooter; do
  command -v "$tool" >/dev/null || { echo "wayland_check: $tool is missing (apt-get install weston)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/handbook-wayland.XXXXXX)
mkdir -m 700 "$work/runtime"
export XDG_RUNTIME_DIR=$work/runtime XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
export XDG_CACHE_HOME=$work/cache WAYLAND_DISPLAY=handbook-check QT_QPA_PLATFORM=wayland
unset DISPLAY
# --use-pixman: the headless backend draws nothing without it; --debug: lets the screenshooter in
weston --backend=headless-backend.so --use-pixman --width=1280 --height=800 --idle-time=0 \
  --socket="$WAYLAND_DISPLAY" --debug --log="$work/weston.log" &
weston_pid=$!
busy=()
cleanup() {
  kill "${busy[@]}" "$weston_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -S $XDG_RUNTIME_DIR/$WAYLAND_DISPLAY ]] && break; sleep 0.1; done
if ((load)); then
  for _ in 1 2; do (while :; do :; done) & busy+=($!); done
fi

whole=0 frame_only=0
for run in $(seq "$runs"); do
  "${command[@]}" >"$work/app-$run.log" 2>&1 </dev/null &
  app=$!
  sleep "$wait"
  (cd "$work" && weston-screenshooter >/dev/null 2>&1 && mv wayland-screenshot-*.png "shot-$run.png")
  kill "$app" 2>/dev/null; wait "$app" 2>/dev/null || true
  size=$(stat -c %s "$work/shot-$run.png" 2>/dev/null || echo 0)
  if ((size < 100000)); then
    frame_only=$((frame_only + 1)); echo "run $run: $size bytes: only the first frame"
  else
    whole=$((whole + 1)); echo "run $run: $size bytes: the whole window"
  fi
done
echo "wayland_check: $whole of $runs starts drew the whole window, $frame_only only the first frame"
echo "wayland_check: screenshots and logs in $work"
((frame_only == 0))
