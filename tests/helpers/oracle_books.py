"""Small books of our own, each chapter one thing mdBook 0.5 shows in its own way."""

from __future__ import annotations

from pathlib import Path

CHAPTERS: dict[str, str] = {
    "basics.md": """# Basics

A paragraph with *emphasis*, **strong** text, `code` and a [link](other.md#a-second-part).

## Lists and a table

- one
- two
  1. nested
  2. again

| Name | Value |
|------|------:|
| a    | 1     |

## Code

```rust
fn main() {
    println!("hi");
}
```

```text
plain
```

## Code

A second heading with the same title gets its own id. Back to [the top](#basics).
""",
    "other.md": """# Other

## A second part

Text [back](basics.md#code-1).

> A quote with **bold**.

---

1. first
2. second
""",
    "smart.md": """# Smart punctuation

"Quoted" and 'single' -- a dash --- and more... it's done.
""",
    "code-label-links.md": """# Code labels

See [`Vec`] here.

[`Vec`]: https://example.com/vec
""",
    "html-blocks.md": """# HTML blocks

<div>

*em* `c<T>`

</div>
""",
    "details.md": """# Details

<details>
<summary>More</summary>

Folded *text*.

</details>
""",
    "escapes.md": """# Escapes

A \\<tag> stays text.

Hard\\
break.
""",
    "table-pipe.md": """# Pipes

| Code |
|------|
| `a \\| b` |
""",
    "strike.md": """# Strike

~one~ and ~~two~~.
""",
    "list-start.md": """# List start

3. three
4. four
""",
    "footnotes.md": """# Footnotes

First[^b] then[^a].

[^a]: Note A.
[^b]: Note B.
[^unused]: Never referenced.
""",
    "heading-attrs.md": """# Heading attributes

## T {.c}

## Custom {#my-id}
""",
    "definitions.md": """# Definitions

Term
: Its definition.
""",
    "link-rule.md": """# Link then rule

[x]: https://example.com
---

After.
""",
    "emphasis.md": """# Emphasis

repr(u*), repr(i*) stay plain.
""",
    "hidden.md": """# Hidden

<p class="hidden">Not shown.</p>

Shown.
""",
    "quote-heading.md": """# Quote heading

> #### Keywords
>
> Text in the quote.
""",
    "title.md": """{{#title A Custom Title}}
# Title

Body.
""",
    "math.md": """# Math

Inline \\\\( x^2 \\\\) and display:

\\\\[ \\\\frac{a}{b} \\\\]
""",
}

SUMMARY = "# Summary\n\n" + "".join(f"- [{name[:-3]}]({name})\n" for name in CHAPTERS)

BOOK_TOML = """[book]
title = "Oracle fixtures"

[output.html]
mathjax-support = true
"""


def write_fixture_book(root: Path) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (root / "book.toml").write_text(BOOK_TOML, encoding="utf-8")
    (src / "SUMMARY.md").write_text(SUMMARY, encoding="utf-8")
    for name, text in CHAPTERS.items():
        (src / name).write_text(text, encoding="utf-8")
    return root
