"""Chat models: llama.cpp in-process (llama-cpp-python) or any OpenAI-compatible server.

Both serialise generation with a lock: a ``Llama`` instance is not thread-safe, and a
server slot serves one request at a time anyway. The in-process backend relies on
llama-cpp-python reusing its KV cache for the longest shared token prefix, which is
why the prompt keeps its stable parts first.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rag.errors import BackendError, ModelCorruptError, ModelNotFoundError
from rag.protocols import Message

__all__ = ["LlamaCppLLM", "OpenAICompatibleLLM"]

log = logging.getLogger(__name__)


def option_variants(option: str) -> tuple[str, ...]:
    """The spellings a reply may start ``option`` with: as given, capitalised, lowercase, after a space."""
    forms = dict.fromkeys((option, option.capitalize(), option.lower()))
    return tuple(forms) + tuple(" " + f for f in forms)


def normalise_options(logprobs: dict[str, float]) -> dict[str, float]:
    """Natural-log scores per option -> probabilities over the options (softmax); all -inf -> uniform."""
    top = max(logprobs.values())
    if top == -math.inf:
        return dict.fromkeys(logprobs, 1.0 / len(logprobs))
    weights = {k: math.exp(v - top) for k, v in logprobs.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


class LlamaCppLLM:
    """A GGUF model run in this process by llama-cpp-python."""

    local: ClassVar[bool] = True  # the model is a file in models_dir
    supports_grammar: ClassVar[bool] = True  # stream_chat(grammar=GBNF) constrains the reply

    def __init__(
        self,
        model_path: str | Path,
        *,
        model_id: str | None = None,
        n_ctx: int = 4096,
        n_threads: int = 2,
        n_batch: int = 512,
        seed: int = 0,
    ) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelNotFoundError(f"Model file {path} not found. Run `rag models pull`.")
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelNotFoundError(
                "llama-cpp-python is not installed. Run `make setup` (it builds llama-cpp-python)."
            ) from None
        try:
            # n_threads_batch: prompt reading uses as many threads as generation.
            options: dict[str, Any] = {
                "n_ctx": n_ctx,
                "n_threads": n_threads,
                "n_threads_batch": n_threads,
                "n_batch": n_batch,
            }
            self._llama = Llama(model_path=str(path), seed=seed, verbose=False, **options)
        except (ValueError, RuntimeError) as exc:
            raise ModelCorruptError(
                f"llama.cpp could not load {path} ({exc}). Run `rag models pull --force`."
            ) from None
        self.model_id = model_id or path.name
        self.n_ctx = n_ctx
        self._lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        self._option_token_ids: dict[str, list[int]] = {}

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _grammar(self, gbnf: str) -> Any:
        if gbnf not in self._grammars:
            from llama_cpp import LlamaGrammar  # type: ignore[attr-defined]

            self._grammars[gbnf] = LlamaGrammar.from_string(gbnf, verbose=False)
        return self._grammars[gbnf]

    def _option_ids(self, option: str) -> list[int]:
        """First token ids of ``option``'s spellings (:func:`option_variants`), tokenized once per option."""
        if option not in self._option_token_ids:
            first = {
                self._llama.tokenize(v.encode("utf-8"), add_bos=False, special=False)[0]
                for v in option_variants(option)
            }
            self._option_token_ids[option] = sorted(first)
        return self._option_token_ids[option]

    def option_probabilities(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        """P(the reply starts with each option), renormalised over ``options``.

        Reads the logits of the reply's first token after the prompt (one forward pass;
        a prompt sharing its prefix with the previous one reuses the KV cache). Each
        option's score is the log-sum-exp over the first tokens of its spellings
        (:func:`option_variants`), so "Yes", "yes" and " yes" all count for "yes".
        """
        import numpy as np

        with self._lock:
            self._llama.create_chat_completion(
                messages=[dict(m) for m in messages],  # type: ignore[misc]
                max_tokens=1,
                temperature=0.0,
                top_k=1,
                repeat_penalty=1.0,
            )
            # With max_tokens=1 the sampled token is never decoded: the last logits are the
            # first reply token's distribution.
            n_vocab = self._llama.n_vocab()
            logits = np.ctypeslib.as_array(
                self._llama._ctx.get_logits(),  # type: ignore[no-untyped-call]
                shape=(n_vocab,),
            ).astype(np.float64)
        log_z = float(np.log(np.exp(logits - logits.max()).sum()) + logits.max())
        scores: dict[str, float] = {}
        for option in options:
            values = logits[self._option_ids(option)] - log_z
            scores[option] = float(np.log(np.exp(values - values.max()).sum()) + values.max())
        return normalise_options(scores)

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        grammar: str | None = None,
    ) -> Iterator[str]:
        with self._lock:
            stream = self._llama.create_chat_completion(
                messages=[dict(m) for m in messages],  # type: ignore[misc]
                max_tokens=max_tokens,
                temperature=temperature,
                top_p=1.0,
                top_k=1 if temperature == 0 else 40,
                repeat_penalty=1.0,
                stop=list(stop) or None,
                stream=True,
                grammar=self._grammar(grammar) if grammar else None,
            )
            try:
                part: Any
                for part in stream:
                    delta = part["choices"][0]["delta"].get("content")
                    if delta:
                        yield str(delta)
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()

    @property
    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` this adapter runs (for benchmarks: the direct baseline, KV cache reset)."""
        return self._llama


class _HTTPStatusError(BackendError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class OpenAICompatibleLLM:
    """A chat model behind an OpenAI-compatible HTTP API (llama.cpp server, vLLM).

    Uses only the standard library, streaming server-sent events from
    ``/chat/completions``. Token counts come from the server's ``/tokenize`` when it
    has one (llama.cpp's does), else a conservative estimate.
    """

    local: ClassVar[bool] = False  # the server decides which model runs
    supports_grammar: ClassVar[bool] = True  # llama.cpp's server takes "grammar" (GBNF); others ignore it

    def __init__(self, base_url: str, *, model: str = "default", n_ctx: int = 4096, timeout: float = 300.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BackendError(f"llm_url must be an http(s) URL, got {base_url!r}.")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = f"openai:{model}@{self.base_url}"
        self.n_ctx = n_ctx
        self.timeout = timeout
        self._lock = threading.Lock()
        root = self.base_url.removesuffix("/v1")
        # Candidate tokenizer endpoints: llama.cpp's server, then llama-cpp-python's.
        self._tokenizers = [(f"{root}/tokenize", "content"), (f"{root}/extras/tokenize", "input")]

    def _post(self, url: str, payload: dict[str, Any], *, stream: bool = False) -> Any:
        req = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 - scheme checked in __init__
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")[:200]
            raise _HTTPStatusError(
                f"LLM server at {self.base_url} answered HTTP {exc.code}: {body}", exc.code
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise BackendError(
                f"No LLM server answers at {self.base_url} ({exc}). Start one (python -m llama_cpp.server) "
                "or set llm_backend=llama-cpp."
            ) from None

    def count_tokens(self, text: str) -> int:
        for url, key in list(self._tokenizers):
            try:
                with self._post(url, {key: text}) as resp:
                    tokens = json.loads(resp.read()).get("tokens")
            except _HTTPStatusError as exc:
                if exc.code in (404, 405):  # this server has no such endpoint: never ask it again
                    self._tokenizers.remove((url, key))
                    continue
                break
            except (BackendError, ValueError, AttributeError):
                break  # down or still loading: estimate this time, ask again next time
            if isinstance(tokens, list):
                self._tokenizers = [(url, key)]
                return len(tokens)
        return len(text.encode("utf-8")) // 3 + 1  # over-estimates for English, so budgets stay safe

    def option_probabilities(self, messages: Sequence[Message], options: Sequence[str]) -> dict[str, float]:
        """P(the reply starts with each option), renormalised over ``options``, from the server's logprobs.

        One non-streamed request for one token with ``logprobs``/``top_logprobs`` (OpenAI chat
        API). An option none of whose spellings is among the top 20 tokens scores 0 before
        renormalising; a server that returns no logprobs raises :class:`BackendError`.
        """
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "max_tokens": 1,
            "temperature": 0.0,
            "logprobs": True,
            "top_logprobs": 20,
        }
        with self._lock, self._post(f"{self.base_url}/chat/completions", payload) as resp:
            body = json.loads(resp.read())
        try:
            top = body["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        except (KeyError, IndexError, TypeError):
            raise BackendError(
                f"LLM server at {self.base_url} returned no logprobs; answerability needs them."
            ) from None
        scores: dict[str, float] = {}
        for option in options:
            variants = set(option_variants(option))
            values = [float(t["logprob"]) for t in top if t.get("token") in variants]
            scores[option] = math.log(sum(math.exp(v) for v in values)) if values else -math.inf
        return normalise_options(scores)

    def stream_chat(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str] = (),
        grammar: str | None = None,
    ) -> Iterator[str]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
            # The in-process backend's sampling, so both give the same answers (llama.cpp extensions).
            "top_p": 1.0,
            "top_k": 1 if temperature == 0 else 40,
            "repeat_penalty": 1.0,
        }
        if stop:
            payload["stop"] = list(stop)
        if grammar:
            payload["grammar"] = grammar
        with self._lock, self._post(f"{self.base_url}/chat/completions", payload, stream=True) as resp:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                except (ValueError, KeyError, IndexError):
                    raise BackendError(
                        f"LLM server at {self.base_url} sent an unreadable event: {data[:120]}"
                    ) from None
                if delta:
                    yield delta
