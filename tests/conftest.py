"""Shared fixtures: fake backends for fast tests, real ones (session-scoped) for slow tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from rag import RAG, Settings, testing

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MODELS = ROOT / "models"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Hypothesis budgets. Each property test names its full count, `@settings(max_examples=examples(300))`;
# HYPOTHESIS_PROFILE=fast (`make test-fast`) runs a tenth of it, `make test` and CI the full count.
settings.register_profile("full")
settings.register_profile("fast", max_examples=10)  # for a property test that names no count
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(full: int) -> int:
    """``full`` examples, or a tenth of them (at least 10) under the fast profile."""
    return max(10, full // 10) if HYPOTHESIS_PROFILE == "fast" else full


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may change."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst


@pytest.fixture
def fake_rag(tmp_path: Path) -> RAG:
    return testing.fake_rag(tmp_path)


def _need_model(name: str) -> Path:
    from rag.models import CHAT_MODELS

    path = MODELS / CHAT_MODELS[name].filename
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `rag models pull {name}` (make test does).")
    return path


@pytest.fixture(scope="session")
def real_embedder() -> object:
    from rag.backends.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def smollm() -> object:
    from rag.backends.llms import LlamaCppLLM

    return LlamaCppLLM(_need_model("smollm2-135m"), model_id="smollm2-135m", n_ctx=2048, n_threads=2)


@pytest.fixture(scope="session")
def qwen() -> object:
    from rag.backends.llms import LlamaCppLLM

    return LlamaCppLLM(_need_model("qwen2.5-1.5b"), model_id="qwen2.5-1.5b", n_ctx=4096, n_threads=2)


@pytest.fixture(scope="session")
def seeded_chroma_dir(tmp_path_factory: pytest.TempPathFactory, real_embedder: object) -> Path:
    """A real Chroma index of seeds/, built once per test session."""
    from rag.backends.chroma import ChromaStore

    data = tmp_path_factory.mktemp("seeded")
    rag = RAG(
        embedder=real_embedder,
        store=ChromaStore.persistent(data / "chroma"),  # type: ignore[arg-type]
        settings=Settings(data_dir=data),
        lock_path=data / "write.lock",
    )
    rag.ingest([SEEDS])
    return data


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's, driven by Playwright: tests/ui_fixtures.py), one per test module."""
    from tests.ui_fixtures import chromium_browser

    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def tmp_cwd(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
