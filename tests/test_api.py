"""The public API: what ``import rag`` exposes, and that it loads no heavy engine."""

from __future__ import annotations

import subprocess
import sys

import rag


def test_public_names() -> None:
    assert set(rag.__all__) >= {"RAG", "Answer", "Citation", "Hit", "Turn", "Settings", "RagError", "load_settings"}
    for name in rag.__all__:
        assert hasattr(rag, name), name


def test_import_loads_no_engine() -> None:
    code = "import sys, rag; print(sorted(m for m in ('gradio', 'chromadb', 'torch', 'llama_cpp') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
