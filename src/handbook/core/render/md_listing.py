"""The Rust book's ``<Listing number=… file-name=… caption=…>`` blocks (its ``trpl-listing``
mdBook preprocessor), shown as mdBook shows them: the file name above, the caption below.
"""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from handbook.core.render.mdbook.listings import rewrite_listings

PRIORITY = 29.5  # before the list normaliser: a listing may sit in a list item or a quote


class _ListingPreprocessor(Preprocessor):  # type: ignore[misc]  # markdown ships no types
    def run(self, lines: list[str]) -> list[str]:
        return rewrite_listings(lines)


class ListingExtension(Extension):  # type: ignore[misc]  # markdown ships no types
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_ListingPreprocessor(md), "handbook_listing", PRIORITY)
