"""Files we own, opened with care: SQLite (WAL, migrations), regular files only, paths as text."""
