"""Bookmarks: the SQLite store, its backups and recovery, import/export, re-anchoring."""
