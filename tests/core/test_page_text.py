"""A page's HTML as the text a reader sees (``handbook show``, the mdBook comparisons)."""

from __future__ import annotations

from handbook.core.render.formula import formula_html
from handbook.core.render.page_text import page_text


def test_blocks_lists_and_code() -> None:
    page = (
        "<html><head><title>T</title><style>p {}</style></head><body>"
        "<h1>Hi<a name='x'></a></h1><p>a  b\nc<br>d</p>"
        "<ol start='3'><li>x</li><li><p>y</p><ul><li>z</li></ul></li></ol>"
        "<pre><code>fn main() {\n    x\n}\n</code></pre><script>alert(1)</script></body></html>"
    )
    assert page_text(page) == "Hi\n\na b c\nd\n\n3. x\n\n4. y\n\n• z\n\nfn main() {\n    x\n}"


def test_hidden_elements_are_left_out() -> None:
    page = '<p>shown <span class="boring">hidden</span> <b class="x hidden">gone</b>too</p>'
    assert page_text(page, {"boring", "hidden"}) == "shown too"


def test_a_formula_reads_as_its_tex_and_a_picture_as_nothing() -> None:
    tex = r"\frac{1}{2}"
    page = f'<p>a {formula_html(tex, False, "#000000", "#ff0000")} b <img src="p.png" alt="P"></p>'
    assert page_text(page) == r"a \frac{1}{2} b"


def test_a_footnote_number_is_a_word_of_its_own() -> None:
    """mdBook's markup for a footnote reference: the number reads apart from the word before
    and after it (the search index holds them apart), a plain superscript does not."""
    page = (
        '<p>tables<sup class="footnote-reference" id="fr-a-1"><a href="#footnote-a">1</a>'
        "</sup>and x<sup>2</sup></p>"
    )
    assert page_text(page) == "tables 1 and x2"
