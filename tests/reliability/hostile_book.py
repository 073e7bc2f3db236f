"""A book written to attack its reader, and the files outside it that it reaches for.

Used in-process by test_hostile_content.py and, under strace, by scripts/show_book.py.
Everything outside the book holds :data:`SENTINEL` (or is a PNG), so that a leak shows on the
page, in the HTML, or as an open() of one of :func:`outside_paths` in the syscall log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import png

SENTINEL = "SENTINEL-outside-the-book-7c21"
PASSWD_LINE = "root:x:0:0"  # what /etc/passwd would show if it were read


SUMMARY = """# Summary

- [Hostile](hostile.md)
- [Loop](loop.md)
- [Leak](leak.md)
- [Plain](plain.md)
"""

# {abs_png} is replaced by the absolute path of a PNG outside the book.
HOSTILE = """# Hostile

<script>document.title = "pwned"</script>
<p onclick="alert(1)" onmouseover="alert(2)">Click text.</p>
<img src="pic.png" onerror="alert(3)" onload="alert(4)" alt="in-book picture">
<svg onload="alert(5)"><circle r="1"/></svg>

<a href="javascript:alert(6)">js link</a>
[md js link](javascript:alert(7))
<a href="JaVaScRiPt:alert(8)">mixed case js</a>
<a href="&#106;avascript:alert(9)">entity js</a>
<a href="data:text/html;base64,PHNjcmlwdD4=">data link</a>
![data image](data:image/png;base64,iVBORw0KGgo=)
<a href="file:///etc/passwd">file link</a>
![file image](file:///etc/passwd)
<img src="/etc/passwd" alt="passwd image">
<img src="{abs_png}" alt="absolute outside image">
![outside image](../../outside/secret.png)
[outside link](../../outside/secret.md)
![symlinked image](escape.png)
[remote link](http://127.0.0.1:9/page)

<iframe src="file:///etc/passwd"></iframe>
<object data="file:///etc/passwd"></object>
<embed src="file:///etc/passwd">
<link rel="stylesheet" href="file:///etc/passwd">
<style>body {{ background: url(file:///etc/passwd) }}</style>
<p style="background-image: url(file:///etc/passwd)">styled text</p>
<meta http-equiv="refresh" content="0; url=file:///etc/passwd">
<base href="file:///etc/">
<form action="javascript:alert(10)"><input value="x"></form>

{{{{#include ../../../etc/passwd}}}}

{{{{#include ../../outside/secret.md}}}}

{{{{#include escape.md}}}}

{{{{#include {abs_md}}}}}

![a drawing that reaches out](diagram.svg)

End of the hostile page.
"""

LOOP = """# Loop

[again](loop.md) and [to the top](#loop) and [as html](loop.html)

{{#include loop.md}}

Loop text.
"""

PLAIN = "# Plain\n\nNothing special here.\n"

# An SVG inside the book that names files outside it: QtSvg would open and draw each.
DIAGRAM = """<?xml version="1.0"?>
<?xml-stylesheet type="text/css" href="{outside}/style.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="200" height="200">
  <style>@import url({outside}/style.css); rect {{ fill: url(file://{outside}/secret.png) }}</style>
  <image x="0" y="0" width="50" height="50" xlink:href="{outside}/secret.png"/>
  <image x="50" y="0" width="50" height="50" xlink:href="file://{outside}/secret.png"/>
  <image x="100" y="0" width="50" height="50" xlink:href="../../outside/secret.png"/>
  <image x="0" y="50" width="50" height="50" href="{outside}/secret.png"/>
  <image x="50" y="50" width="50" height="50" xlink:href="escape.png"/>
  <use xlink:href="{outside}/drawing.svg#shape"/>
</svg>
"""


@dataclass(frozen=True)
class HostileBook:
    root: Path
    outside: Path  # a folder beside the book: nothing in it may be read

    @property
    def src(self) -> Path:
        return self.root / "src"

    def outside_paths(self) -> list[Path]:
        """Paths whose reading would be a leak (the outside folder, and /etc/passwd)."""
        return [self.outside, self.outside.resolve(), Path("/etc/passwd")]


def build(base: Path) -> HostileBook:
    """The hostile book at ``base/book`` and its targets at ``base/outside``."""
    outside = base / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.md").write_text(f"# Secret\n\n{SENTINEL}\n", encoding="utf-8")
    (outside / "secret.png").write_bytes(png(50, 50))
    (outside / "style.css").write_text("rect { fill: #2080c0 }", encoding="utf-8")
    (outside / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect id="shape" width="9" height="9"/></svg>',
        encoding="utf-8",
    )
    root = base / "book"
    src = root / "src"
    src.mkdir(parents=True)
    (src / "SUMMARY.md").write_text(SUMMARY, encoding="utf-8")
    hostile = HOSTILE.format(abs_png=outside / "secret.png", abs_md=outside / "secret.md")
    (src / "hostile.md").write_text(hostile, encoding="utf-8")
    (src / "loop.md").write_text(LOOP, encoding="utf-8")
    (src / "plain.md").write_text(PLAIN, encoding="utf-8")
    (src / "pic.png").write_bytes(png())
    (src / "diagram.svg").write_text(DIAGRAM.format(outside=outside), encoding="utf-8")
    (src / "escape.png").symlink_to(outside / "secret.png")  # an image leaving the book
    (src / "escape.md").symlink_to(outside / "secret.md")  # an include leaving the book
    (src / "leak.md").symlink_to(outside / "secret.md")  # a chapter leaving the book
    return HostileBook(root, outside)
