"""The Gradio chat UI: a thin front-end over :class:`rag.RAG`."""
