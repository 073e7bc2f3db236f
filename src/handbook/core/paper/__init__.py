"""A book for paper: chapters as print documents, the PDF's outline."""
