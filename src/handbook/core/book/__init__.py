"""A book as it is on disk: its layout found (mdBook, MkDocs, folder, file), read into the model
(Book, TocNode, Heading), its includes, and what to watch of its files."""
