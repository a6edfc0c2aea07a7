"""One module per kind of input: web pages, feeds, PDFs, article dumps, URLs, and dates.

Each turns bytes into :class:`rag.types.Document` values (or, for pages, the text and
metadata ``rag.loading`` builds one from) and raises :class:`rag.errors.DocumentError`
with a one-line reason naming the input for anything it cannot use.
``rag.loading`` picks the module by file suffix or, for URLs, by content type.
"""
