"""The Gradio chat UI: a thin front-end over :class:`rag.RAG`.

``app`` (handlers), ``layout`` (the page and its wiring), ``render`` (HTML),
``uploads`` (the uploads folder) and ``server`` (``rag serve``).
"""

import os

# Set before any ui module imports gradio, which reads it at import time.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
