"""Every ``rag`` subcommand given bad options and odd names: one line, a status, no traceback.

Command-line mistakes (an unknown option, a name that starts with a dash, a value of
the wrong type, a missing argument or command) exit with status 2; errors the library
reports (a missing file, an unknown model, a setting out of range) with 1. Either way
stderr is exactly one line starting with ``error:`` that names the input and the fix.

The commands run in-process through :func:`rag.cli.main` (what the console script
calls), with the hashing embedder standing in for the real one and the chat model
forbidden: every error here happens before a model would load. One test runs the real
console entry point in a subprocess, as a terminal would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import typer

import rag.backends.embedders
import rag.backends.llms
from rag.cli import app, main
from rag.testing import HashEmbedder, fake_rag

ROOT = Path(__file__).resolve().parent.parent
NFC_NAME = "Café terrace.txt"
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


@pytest.fixture(autouse=True)
def no_real_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hashing embedder instead of sentence-transformers; loading a chat model fails the test."""

    def no_llm(*args: object, **kwargs: object) -> None:
        raise AssertionError("a chat model was loaded: the error should have come before")

    monkeypatch.setattr(
        rag.backends.embedders, "SentenceTransformerEmbedder", lambda *a, **k: HashEmbedder(dimension=384)
    )
    monkeypatch.setattr(rag.backends.llms.LlamaCppLLM, "__init__", no_llm)


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    """``rag --data-dir DATA ARGS...`` in-process: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(["--data-dir", str(data), *args])
        raise SystemExit(0)  # main() returns normally on success
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def assert_one_line_error(status: int, out: str, err: str, expected_status: int, fragment: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == expected_status, (status, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in out + err


USAGE = 2  # a command-line mistake
ERROR = 1  # anything else a user can fix

# (arguments after `rag --data-dir DATA`, exit status, a fragment of the one line)
CASES: list[tuple[list[str], int, str]] = [
    ([], USAGE, "Missing command. Commands: ingest, ask, remove"),
    (["nosuch"], USAGE, "No such command 'nosuch'"),
    (["--verbose", "-q"], USAGE, "No such option: -q"),
    # ingest
    (["ingest"], USAGE, "Missing argument"),
    (["ingest", "-leading-dash.txt"], USAGE, "ingest -- -leading-dash.txt"),
    (["ingest", ""], USAGE, "an empty name was given; name a file or folder"),
    (["ingest", "seeds", "--rebuild=maybe"], USAGE, "--rebuild"),
    (["ingest", "does/not/exist.txt"], ERROR, "does/not/exist.txt does not exist"),
    (["ingest", NFD_NAME], ERROR, "does not exist"),
    # ask
    (["ask"], USAGE, "Missing argument"),
    (["ask", "-what is new?"], USAGE, " ask -- '-what is new?'"),
    (["ask", "-what is new?", "--json", "-k", "3"], USAGE, " ask --json -k 3 -- '-what is new?'"),
    (["remove", "-a.txt", "b.txt"], USAGE, " remove b.txt -- -a.txt"),
    (["ask", "x", "--top-k", "abc"], USAGE, "Invalid value 'abc' for '--top-k'"),
    (["ask", "x", "-k", "abc"], USAGE, "Invalid value 'abc' for '--top-k'"),
    (["ask", "x", "--top-k"], USAGE, "Option '--top-k' requires an argument. See `rag ask --help`."),
    (["ask", "x", "--temperature", "hot"], USAGE, "Invalid value 'hot' for '--temperature'"),
    (["ask", "x", "--jsn"], USAGE, "No such option: --jsn"),
    (["ask", "x", "--top-k", "-1"], ERROR, "top_k=-1"),
    (["ask", ""], ERROR, "The question is empty"),
    (["ask", "x", "--model", "-nope.gguf"], ERROR, "-nope.gguf"),
    # remove
    (["remove"], USAGE, "Missing argument"),
    (["remove", "-leading-dash.txt"], USAGE, " remove -- -leading-dash.txt"),
    (["remove", ""], USAGE, "an empty name was given; name a document"),
    (["remove", "nope.txt"], ERROR, "Not in the index: nope.txt."),
    (["remove", NFD_NAME], ERROR, "Not in the index"),
    # docs
    (["docs", "--jsn"], USAGE, "No such option: --jsn"),
    (["docs", "extra"], USAGE, "unexpected extra argument"),
    (["docs", "--sort", "size"], USAGE, "use date or id, not 'size'"),
    # sync, watch and dates
    (["ingest", "--sync", "README.md"], ERROR, "README.md is not a folder; sync keeps a folder in step"),
    (["chat", "--top-k", "abc"], USAGE, "Invalid value 'abc' for '--top-k'"),
    (["chat", "--nope"], USAGE, "No such option: --nope"),
    (["feedback", "export"], USAGE, "Missing option '--to'"),
    (["feedback", "export", "--to", "x.jsonl", "--split", "nope"], USAGE, "'nope' is not a split"),
    (["watch"], USAGE, "Missing argument"),
    (["watch", "missing-folder"], ERROR, "missing-folder is not a folder"),
    (["watch", "-odd"], USAGE, " watch -- -odd"),
    (["watch", "--debounce", "abc", "seeds"], USAGE, "Invalid value 'abc' for '--debounce'"),
    (["ask", "What rose?", "--since", "2025-02-30"], ERROR, "since '2025-02-30' is not a date; give it as YYYY-MM-DD"),
    (["ask", "What rose?", "--until", "2025-01-01", "--since", "2025-02-01"], ERROR, "since 2025-02-01 is after until"),
    # models
    (["models"], USAGE, "Missing command. Commands: list, pull"),
    (["models", "nosuch"], USAGE, "No such command 'nosuch'"),
    (["models", "list", "-x"], USAGE, "No such option: -x"),
    (["models", "pull", "-odd.gguf"], USAGE, " models pull -- -odd.gguf"),
    (["models", "pull", "gpt-5"], ERROR, "Unknown model 'gpt-5'"),
    (["models", "pull", ""], ERROR, "Unknown model ''"),
    # serve
    (["serve", "--port", "abc"], USAGE, "Invalid value 'abc' for '--port'"),
    (["serve", "--port"], USAGE, "requires an argument"),
    (["serve", "-x"], USAGE, "No such option: -x"),
    # eval
    (["eval"], ERROR, "Give an evaluation set"),
    (["eval", "-odd.jsonl"], USAGE, " eval -- -odd.jsonl"),
    (["eval", "missing.jsonl"], ERROR, "missing.jsonl not found"),
    (["eval", "eval/seed.jsonl", "--limit", "abc"], USAGE, "Invalid value 'abc' for '--limit'"),
    (["eval", "eval/seed.jsonl", "--limit", "0"], ERROR, "--limit must be at least 1"),
    (["eval", "eval/seed.jsonl", "--split", "nope"], ERROR, "Unknown --split 'nope'"),
]


@pytest.mark.parametrize(("args", "status", "fragment"), CASES, ids=[" ".join(c[0]) or "(none)" for c in CASES])
def test_bad_options_and_odd_names_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], status: int, fragment: str
) -> None:
    old = Path.cwd()
    os.chdir(ROOT)  # relative paths in CASES (eval/seed.jsonl) are the repository's
    try:
        result = run(capsys, tmp_path / "data", *args)
    finally:
        os.chdir(old)
    assert_one_line_error(*result, status, fragment)


def test_the_cases_cover_every_subcommand() -> None:
    group = typer.main.get_command(app)
    commands: set[str] = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        commands |= {f"{name} {sub}" for sub in subcommands} if subcommands else {name}
    covered = {" ".join(args[:2]) for args, _, _ in CASES} | {args[0] for args, _, _ in CASES if args}
    assert commands <= covered, commands - covered


def test_a_name_after_double_dash_is_a_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, tmp_path / "data", "remove", "--", "-leading-dash.txt")
    assert_one_line_error(status, out, err, ERROR, "Not in the index: -leading-dash.txt.")


def test_help_says_how_to_pass_a_name_with_a_leading_dash(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, tmp_path / "data", "--help")
    assert status == 0, err
    assert "Put -- before names that start with a dash: rag remove -- -notes.txt" in " ".join(out.split())


def test_a_typed_name_removes_the_file_macos_stored_decomposed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / NFD_NAME).write_text("The terrace café on the square reopened on Monday after repairs.\n", "utf-8")
    assert NFD_NAME != NFC_NAME and unicodedata.normalize("NFC", NFD_NAME) == NFC_NAME
    data = tmp_path / "data"
    assert run(capsys, data, "ingest", str(folder))[0] == 0
    status, out, err = run(capsys, data, "remove", NFC_NAME)  # typed: composed (NFC)
    assert status == 0 and "Removed 1 document(s)" in out, err
    assert run(capsys, data, "docs", "--json")[:2] == (0, "[]\n")


def test_the_library_removes_by_normalised_name(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / NFD_NAME).write_text("The terrace café on the square reopened on Monday after repairs.\n", "utf-8")
    (folder / "other.txt").write_text("The library opened a new reading room for children.\n", "utf-8")
    lib = fake_rag(tmp_path)
    lib.ingest([folder])
    assert {d.doc_id for d in lib.documents()} == {NFD_NAME, "other.txt"}
    assert lib.remove([NFC_NAME]) > 0
    assert [d.doc_id for d in lib.documents()] == ["other.txt"]
    assert lib.remove([NFC_NAME]) == 0


def test_a_terminal_gets_one_line_for_a_question_that_starts_with_a_dash() -> None:
    """The real entry point in its own process: what a user's terminal shows."""
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "-what is new?"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "error: No such option: -w. Put -- before names that start with a dash: rag ask -- '-what is new?'"
    )
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
