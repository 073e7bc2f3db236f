"""The library: every book the reader has opened or added."""
