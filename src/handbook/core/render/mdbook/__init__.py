"""mdBook chapters read as mdBook 0.5 reads them: pulldown-cmark (through pyromark).

``preprocess`` expands what mdBook's preprocessors expand (includes, ``{{#title}}``, the
Rust book's ``<Listing>`` tags); ``chapter`` walks the parser's events once and gives the
page's HTML, its headings with mdBook's ids, and each section's plain text for the search
index; ``code`` shows code blocks as mdBook does (info strings, hidden lines, colours);
``raw_html`` follows the raw HTML between the events (hidden elements, scripts, comments).
Nothing here imports Qt or Python-Markdown.
"""
