"""One reader: the page viewer, its rendering and cache, history, find bar, highlights, zoom,
the reader's place and progress."""
