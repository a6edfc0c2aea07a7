"""The ``rag`` command as a user runs it: one-line errors, exit codes, JSON output.

The fast tests call the console script's entry point, :func:`rag.cli.main`, in this
process (:func:`cli`): the same exit status and the same stderr without starting
Python for each case. The slow ones run ``python -m rag.cli`` in its own process
(:func:`rag`), so a real model is loaded and freed outside the test process;
tests/test_cli_errors.py checks what a terminal shows from the real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main

ROOT = Path(__file__).resolve().parent.parent


def rag(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``rag ARGS...`` run by :func:`rag.cli.main` in-process, ``env`` added to the environment for this
    test only: its exit status, stdout and stderr, shaped like :func:`rag`'s result."""
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as info:
        main(list(args))
        raise SystemExit(0)  # main() returns normally on success
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["rag", *args], int(info.value.code or 0), out, err)


def one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["ask", "   "], {}, "The question is empty"),
        (["ask", "x" * 100_000], {}, "limit is 2,000"),
        (["ingest", "does/not/exist"], {}, "does not exist"),
        (["models", "pull", "gpt-5"], {}, "Unknown model 'gpt-5'"),
        (["docs"], {"RAG_TOP_K": "many"}, "RAG_TOP_K"),
        (["ask", "What happened?"], {"RAG_CHAT_MODEL": "nope"}, "Unknown chat model 'nope'"),
    ],
)
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    fragment: str,
) -> None:
    one_line_error(cli(capsys, monkeypatch, "--data-dir", str(tmp_path / "data"), *args, env=env), fragment)


def test_empty_folder_and_binary_only_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    one_line_error(
        cli(capsys, monkeypatch, "--data-dir", str(tmp_path / "data"), "ingest", str(tmp_path / "empty")), "No .txt"
    )


def test_missing_and_corrupt_model_name_the_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = {"RAG_MODELS_DIR": str(tmp_path / "models")}
    one_line_error(
        cli(capsys, monkeypatch, "--data-dir", str(tmp_path), "ask", "What happened?", env=env),
        "Run `rag models pull qwen2.5-1.5b`",
    )
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF" + b"\0" * 1000)
    one_line_error(
        cli(
            capsys,
            monkeypatch,
            "--data-dir",
            str(tmp_path),
            "ask",
            "What happened?",
            env={**env, "RAG_CHAT_MODEL": "smollm2-135m"},
        ),
        "rag models pull smollm2-135m --force",
    )


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli(capsys, monkeypatch, "--help")
    assert result.returncode == 0
    for command in ("ingest", "ask", "remove", "docs", "models", "serve", "eval"):
        assert command in result.stdout


@pytest.mark.slow
def test_ingest_twice_then_remove(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = json.loads(rag("--data-dir", data, "ingest", "seeds/", "--json").stdout)
    second = json.loads(rag("--data-dir", data, "ingest", "seeds/", "--json").stdout)
    assert first["chunks_embedded"] == first["chunks_total"] > 0
    assert second["chunks_embedded"] == 0 and second["chunks_total"] == first["chunks_total"]
    listed = json.loads(rag("--data-dir", data, "docs", "--json").stdout)
    assert len(listed) == 5 and sum(d["chunks"] for d in listed) == first["chunks_total"]
    removed = rag("--data-dir", data, "remove", "001_70fe7331acc06bca.txt")
    assert removed.returncode == 0 and "Removed 1 document" in removed.stdout
    one_line_error(rag("--data-dir", data, "remove", "nope.txt"), "Not in the index: nope.txt")
