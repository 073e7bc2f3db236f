"""Where the reader is: a place in the text, each book's last place, history, progress."""
