"""Gradio is an optional extra (`rag[ui]`): the library and the UI's rendering work without it."""

from __future__ import annotations

import subprocess
import sys

from tests.ui_fixtures import ROOT


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter from the repository root, with gradio made unimportable."""
    blocked = "import sys; sys.modules['gradio'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", blocked + code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_serve_without_gradio_prints_one_line_with_the_install_hint() -> None:
    done = run_python("from rag.cli import main; main(['serve'])")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: The chat UI needs Gradio: pip install 'rag[ui]'"]
    assert "Traceback" not in done.stderr


def test_rendering_needs_no_gradio() -> None:
    done = run_python(
        "import ui.render, rag\n"
        "from rag import Answer\n"
        "print(ui.render.render_answer(Answer(question='q', text='A <b> [1].')))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "A &lt;b&gt; [1]."
