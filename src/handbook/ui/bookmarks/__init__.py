"""Bookmarks in the window: the controller (the one door to the store), the panel and models."""
