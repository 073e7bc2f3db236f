"""Full-text search: a book's sections, the FTS5 index and its cache, the query language,
where terms match, snippets."""
