"""The application: start-up (run), the services it opens once (settings, themes, bookmarks),
the kept start page, the display check."""
