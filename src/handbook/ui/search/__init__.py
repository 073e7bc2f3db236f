"""The search panel, its worker thread and the window's search slots."""
