#!/usr/bin/env bash
# Makes the README's screenshots again (docs/screenshots/), each from a fresh private profile,
# with ../shared/tools/screenshot (a real X window on a private Xvfb screen).
# Usage: bash scripts/screenshots.sh   (after scripts/setup.sh; needs ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shot=../shared/tools/screenshot
rust=../shared/corpora/rust-book
out=docs/screenshots
work=$(mktemp -d)
trap 'sleep 1; rm -rf "$work" 2>/dev/null || true' EXIT

# One private profile a picture: XDG folders under $work/NAME, the theme written beforehand.
take() {  # take NAME THEME [screenshot options] -- COMMAND...
  local name=$1 theme=$2; shift 2
  export XDG_CONFIG_HOME=$work/$name/config XDG_DATA_HOME=$work/$name/data
  export XDG_CACHE_HOME=$work/$name/cache
  mkdir -p "$XDG_CONFIG_HOME/handbook/handbook"
  printf '[view]\ntheme=%s\n' "$theme" >"$XDG_CONFIG_HOME/handbook/handbook/handbook.ini"
  "$shot" "$out/$name.png" "$@"
}

# A small book with what the reading typography shows: key caps, a missing image's alt text,
# a code block, folded details, formulas (mathjax-support) and a table.
book=$work/reading-book
mkdir -p "$book/src"
printf '[book]\ntitle = "Reading"\n\n[output.html]\nmathjax-support = true\n' >"$book/book.toml"
printf '# Summary\n\n- [Basics](basics.md)\n' >"$book/src/SUMMARY.md"
cat >"$book/src/basics.md" <<'MD'
# Basics

A paragraph with *emphasis*, **strong** text, `code`, a key <kbd>Ctrl</kbd>+<kbd>C</kbd> and a
[link](basics.md). More words follow here to make this a long paragraph that wraps over several
lines in the window, so that the line length and the line height can be judged by eye.

![A diagram of the stack that is missing](img/missing.png)

```rust
fn main() {
    println!("hi");
}
```

<details>
<summary>Show the answer</summary>

The answer is *folded* until clicked.

</details>

Inline math \\( x^2 + y^2 = z^2 \\) and display:

\\[ \sum_{i=1}^{n} i = \frac{n(n+1)}{2} \\]

| Name | Value |
| ---- | ----: |
| a    |     1 |
MD

take guide-light light --wait 2 -- .venv/bin/handbook
take guide-dark dark --wait 2 -- .venv/bin/handbook
take guide-search light --keys "ctrl+k h a i r space t h i n" --wait 4 -- .venv/bin/handbook
take rust-book light --wait 2 -- .venv/bin/handbook "$rust/src/ch15-01-box.md"
# A narrow window: made narrow once it shows (xdotool; no window manager to ask).
narrow='for _ in $(seq 100); do w=$(xdotool search --onlyvisible --name Ownership | head -n1)
  [ -n "$w" ] && xdotool windowsize "$w" 760 700 && break; sleep 0.1; done'
take rust-book-dark-narrow dark --wait 3 -- \
  bash -c "($narrow) & exec .venv/bin/handbook $rust/src/ch04-01-what-is-ownership.md"
take reading light --wait 2 -- .venv/bin/handbook "$book"
