"""handbook: an offline desktop reader for books in mdBook's layout."""

__version__ = "0.1.0"
APP_NAME = "handbook"
ORGANIZATION = "handbook"
