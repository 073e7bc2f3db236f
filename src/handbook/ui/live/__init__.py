"""The book follows its files: the watcher and the window's reactions."""
