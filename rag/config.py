"""Settings, resolved in one place: defaults < config file < ``RAG_*`` environment < arguments.

The config file is TOML with the same keys as :class:`Settings` (``top_k = 8``). It is
``--config``/``RAG_CONFIG`` when given, else ``rag.toml`` in the working directory when
present. Every value is validated here so that a bad value fails early with a message
naming its origin, not deep inside a backend.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

__all__ = ["SettingError", "Settings", "load_settings", "project_root"]

ENV_PREFIX = "RAG_"


def project_root() -> Path:
    """The checkout the package runs from (editable install), else the working directory."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def _default_threads() -> int:
    # sched_getaffinity honours CPU limits of containers; cpu_count does not.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every tunable of the library, the CLI and the UI. See the README's table."""

    data_dir: Path = field(default_factory=lambda: project_root() / "data")
    models_dir: Path = field(default_factory=lambda: project_root() / "models")
    chat_model: str = "qwen2.5-1.5b"
    embed_model: str = "all-minilm-l6-v2"
    llm_backend: str = "llama-cpp"  # llama-cpp | openai
    llm_url: str = "http://127.0.0.1:8080/v1"
    store_backend: str = "chroma"  # chroma (embedded) | chroma-http
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    collection: str = "news"
    n_ctx: int = 4096
    n_threads: int = field(default_factory=_default_threads)
    n_batch: int = 512
    temperature: float = 0.0
    max_tokens: int = 320
    top_k: int = 5
    retrieval: str = "hybrid"  # dense | hybrid (dense + BM25, fused by reciprocal rank)
    fetch_k: int = 20  # candidates per retriever before fusion and de-duplication
    dedupe_threshold: float = 0.8  # word-set Jaccard at which two passages count as one
    followup_query: str = "context"  # retrieval query of a follow-up: question | questions | context
    verify_citations: bool = True  # re-point markers to passages that support each sentence
    # Refuse when no claim sentence reaches this support score (0 = off). 0.5 was chosen on the
    # seed set's dev split: it doubled refusals of unanswerable questions with no false refusal.
    min_support: float = 0.5
    # Ask once more, in the same conversation, when the reply states nothing ("1 [1]").
    # Off: on the seed set it gained 2 dev answers and lost 3 test ones (eval/RESULTS.md).
    retry_bare: bool = False
    # After generation, add a sentence quoting a shown passage from another article that
    # gives a different number or name for a claim of the answer (rag.disagreement).
    flag_disagreements: bool = True
    min_score: float = 0.25  # evidence gate: best passage's cosine similarity below this → refuse
    # What the model is shown: whole retrieved chunks, or the question's best sentences from
    # them (rag.evidence), within evidence_tokens (chat-model tokens, headers included).
    answer_mode: str = "chunks"  # chunks | sentences
    evidence_tokens: int = 240
    # Before generating, ask the model whether the shown evidence answers the question and read
    # P(yes) from its token probabilities: Answer.confidence. Below min_confidence → refuse.
    answerability: bool = False
    min_confidence: float = 0.0
    # Constrain the reply with a llama.cpp grammar so it cannot be bare ("1 [1]", "Yes, [1]"):
    # three words before the first marker. Not for languages written without spaces
    # (rag.languages.UNSPACED). Measured in eval/RESULTS.md ("A grammar against bare replies").
    grammar: bool = True
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    max_question_chars: int = 2000
    history_turns: int = 3
    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_mb: int = 10

    def __post_init__(self) -> None:
        for name, ok, rule in (
            ("llm_backend", self.llm_backend in {"llama-cpp", "openai"}, "must be llama-cpp or openai"),
            ("store_backend", self.store_backend in {"chroma", "chroma-http"}, "must be chroma or chroma-http"),
            ("n_ctx", 256 <= self.n_ctx <= 131072, "must be between 256 and 131072"),
            ("n_threads", 1 <= self.n_threads <= 256, "must be between 1 and 256"),
            ("n_batch", 1 <= self.n_batch <= 8192, "must be between 1 and 8192"),
            ("temperature", 0.0 <= self.temperature <= 2.0, "must be between 0 and 2"),
            ("max_tokens", 1 <= self.max_tokens < self.n_ctx // 2, "must be at least 1 and below n_ctx/2"),
            ("top_k", 1 <= self.top_k <= 50, "must be between 1 and 50"),
            ("retrieval", self.retrieval in {"dense", "hybrid"}, "must be dense or hybrid"),
            ("fetch_k", 1 <= self.fetch_k <= 500, "must be between 1 and 500"),
            ("dedupe_threshold", 0.0 < self.dedupe_threshold <= 1.0, "must be in (0, 1]"),
            (
                "followup_query",
                self.followup_query in {"question", "questions", "context"},
                "must be question, questions or context",
            ),
            ("min_support", 0.0 <= self.min_support <= 1.0, "must be between 0 and 1"),
            ("min_score", -1.0 <= self.min_score <= 1.0, "must be between -1 and 1"),
            ("answer_mode", self.answer_mode in {"chunks", "sentences"}, "must be chunks or sentences"),
            ("evidence_tokens", 32 <= self.evidence_tokens <= 4096, "must be between 32 and 4096"),
            ("min_confidence", 0.0 <= self.min_confidence <= 1.0, "must be between 0 and 1"),
            ("chunk_tokens", 32 <= self.chunk_tokens <= 254, "must be between 32 and 254"),
            ("chunk_overlap", 0 <= self.chunk_overlap < self.chunk_tokens // 2, "must be below chunk_tokens/2"),
            ("max_question_chars", 1 <= self.max_question_chars <= 100_000, "must be between 1 and 100000"),
            ("history_turns", 0 <= self.history_turns <= 20, "must be between 0 and 20"),
            ("port", 1 <= self.port <= 65535, "must be between 1 and 65535"),
            ("chroma_port", 1 <= self.chroma_port <= 65535, "must be between 1 and 65535"),
            ("max_upload_mb", 1 <= self.max_upload_mb <= 1024, "must be between 1 and 1024"),
            ("collection", bool(self.collection.strip()), "must not be empty"),
        ):
            if not ok:
                raise SettingError(name, getattr(self, name), rule)


class SettingError(ConfigError):
    """A setting outside its allowed range; ``load_settings`` adds where the value came from."""

    def __init__(self, name: str, value: Any, rule: str, origin: str = "") -> None:
        self.name, self.value, self.rule = name, value, rule
        where = f" from {origin}" if origin else ""
        super().__init__(f"Invalid setting {name}={value!r}{where}: {rule} (see the settings table in README.md).")


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, raw: Any, origin: str) -> Any:
    """Turn a raw value (string from the environment, TOML value, flag) into the field's type."""
    hint = typing.get_type_hints(Settings)[name]
    if isinstance(hint, types.UnionType):  # pragma: no cover - no optional fields today
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    try:
        if hint is Path:
            if not isinstance(raw, str | Path) or "\x00" in str(raw):
                raise ValueError
            return Path(str(raw)).expanduser()
        if hint is bool:
            if isinstance(raw, bool):
                return raw
            return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}[
                str(raw).strip().lower()
            ]
        if hint is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(str(raw).strip()) if isinstance(raw, str) else int(raw)
        if hint is float:
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if hint is str:
            if not isinstance(raw, str | int | float):
                raise ValueError
            return str(raw)
    except (KeyError, ValueError, TypeError, RuntimeError):  # RuntimeError: "~nosuchuser"
        pass
    else:  # pragma: no cover - every field type is handled above
        raise AssertionError(hint)
    raise ConfigError(f"Invalid setting {name}={raw!r} from {origin}: expected {hint.__name__}.")


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} not found.") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"Unknown setting(s) {', '.join(unknown)} in {path}; known: {', '.join(sorted(_FIELDS))}.")
    return {k: _coerce(k, v, str(path)) for k, v in data.items()}


def load_settings(
    config_file: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Resolve settings: defaults < config file < ``RAG_*`` environment < ``overrides``.

    ``overrides`` whose value is None are ignored, so CLI flags can be passed through
    unconditionally.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}

    path = config_file or env.get(f"{ENV_PREFIX}CONFIG")
    if not path and (Path.cwd() / "rag.toml").is_file():
        path = Path.cwd() / "rag.toml"
    if path:
        from_file = _read_config_file(Path(path))
        values.update(from_file)
        origins.update(dict.fromkeys(from_file, f"config file {path}"))

    for name in _FIELDS:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            origins[name] = f"environment variable {ENV_PREFIX}{name.upper()}"
            values[name] = _coerce(name, raw, origins[name])

    for name, raw in overrides.items():
        if name not in _FIELDS:
            raise ConfigError(f"Unknown setting {name!r}; known: {', '.join(sorted(_FIELDS))}.")
        if raw is not None:
            origins[name] = "arguments"
            values[name] = _coerce(name, raw, "arguments")
    try:
        return Settings(**values)
    except SettingError as exc:
        raise SettingError(exc.name, exc.value, exc.rule, origins.get(exc.name, "")) from None
