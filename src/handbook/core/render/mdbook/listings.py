"""The Rust book's ``<Listing number=… file-name=… caption=…>`` blocks (its ``trpl-listing``
mdBook preprocessor), shown as mdBook shows them: the file name above, the caption below.
"""

from __future__ import annotations

import html
import re

from handbook.core.kept import Kept

_OPEN = re.compile(r"(\s*(?:>\s*)*)<Listing(\s[^>]*)?>\s*$")
_CLOSE = re.compile(r"(\s*(?:>\s*)*)</Listing>\s*$")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def rewrite_listings(lines: list[str]) -> list[str]:
    out: list[str] = []
    captions: list[str | None] = []
    for line in lines:
        if "Listing" not in line:  # most lines: no regex run
            out.append(line)
            continue
        m = _OPEN.match(line)
        if m is not None:
            prefix = m.group(1)
            attrs = {
                a.group(1): a.group(2) or a.group(3) or "" for a in _ATTR.finditer(m.group(2) or "")
            }
            name = attrs.get("file-name")
            if name:
                out += [prefix + f'<span class="listing-file">Filename: {html.escape(name)}</span>']
                out.append(prefix.rstrip())
            number, caption = attrs.get("number"), attrs.get("caption")
            label = f"**Listing {number}**" if number else ""
            text = ": ".join(p for p in (label, caption or "") if p)
            captions.append(
                prefix + f'<span class="listing-caption">{text}</span>' if text else None
            )
            continue
        m = _CLOSE.match(line)
        if m is not None and captions:
            caption = captions.pop()
            if caption is not None:
                out += [m.group(1).rstrip(), caption, m.group(1).rstrip()]
            continue
        out.append(line)
    return out


def rewrite_listings_text(text: str) -> str:
    """:func:`rewrite_listings` over a whole chapter (untouched when it has no listing); the
    chapters rewritten last are kept (the book's load and the page rewrite the same text)."""
    if "Listing" not in text:
        return text
    done = _DONE.get(text)
    if done is None:
        done = "\n".join(rewrite_listings(text.split("\n")))
        _DONE.put(text, done, len(text) + len(done))
    return done


# Up to this many characters of chapters and their rewritten text: the Rust book's 2.4 million
_LIMIT = 4_000_000
_DONE: Kept[str, str] = Kept(_LIMIT)
