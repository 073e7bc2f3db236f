"""The contents tree: the book's sections in a dock."""
