"""A chapter's markdown to the page's HTML: pulldown-cmark (mdbook/) for CommonMark books,
Python-Markdown (mkdocs, md_*) for MkDocs sites, sanitized, themed; the page's plain text."""
