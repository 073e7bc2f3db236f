"""Printing and PDF export."""
