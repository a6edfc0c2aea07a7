"""An OpenAI-compatible HTTP API over :class:`rag.RAG` (FastAPI, which Gradio brings along).

Importing this module imports FastAPI; ``import rag`` does not import it.

Routes: ``GET /v1/models`` and ``POST /v1/chat/completions`` (streaming as
server-sent events with ``"stream": true``, or one JSON response). The last message
is the question (it must come from the ``user``); the messages before it are the
conversation's history (:func:`rag.conversation.normalize_history`; ``system``
messages are ignored: the prompt is ours). The reply's ``content`` carries the
``[n]`` markers; the response adds two documented fields beside ``choices``:

- ``citations``: ``[{marker, doc_id, title, url, date, quote}]``, one per marker in
  the answer, ``quote`` being the passage sentence(s) that support it;
- ``abstained``: true when the answer is a refusal (the articles don't say).

When streaming, the last chunk (the one with ``finish_reason``) carries them, and
also ``replaced_content`` when post-processing changed the streamed reply (a
repaired citation, a withdrawn unsupported answer): a client should show that text
instead. Extra request fields: ``top_k``. ``max_tokens`` is the server's setting.

Errors use OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``: 400
for a malformed request, 401 for a missing or wrong API key (compared with
:func:`hmac.compare_digest`), 404 for an unknown model.

What it deliberately does not do: sessions (the client sends the history), tools,
or serving more than the configured chat model.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from rag.conversation import cited_quote, describe_value, message_text
from rag.errors import ConfigError, InputError, RagError
from rag.types import Answer

if TYPE_CHECKING:
    from rag.pipeline import RAG

__all__ = ["LOOPBACK", "check_bind", "citations_json", "create_api"]

log = logging.getLogger(__name__)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def check_bind(host: str, api_key: str | None) -> None:
    """Refuse to serve the API off loopback without a key (raises :class:`rag.errors.ConfigError`)."""
    if host not in LOOPBACK and not api_key:
        raise ConfigError(
            f"Serving the API on {host} needs an API key: pass --api-key or set RAG_API_KEY (or bind to 127.0.0.1)."
        )


def citations_json(answer: Answer) -> list[dict[str, Any]]:
    """The ``citations`` field: one object per marker in the answer's text."""
    return [
        {
            "marker": c.marker,
            "doc_id": c.doc_id,
            "title": c.title,
            "url": c.url,
            "date": c.date,
            "quote": cited_quote(c),
        }
        for c in answer.citations
    ]


class _RequestError(Exception):
    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


def _error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> JSONResponse:
    kind = {401: "authentication_error", 404: "not_found_error"}.get(
        status, "invalid_request_error" if status < 500 else "server_error"
    )
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": param, "code": code}},
        status_code=status,
        headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
    )


def _finish_reason(answer: Answer) -> str:
    return "length" if answer.finish_reason == "length" else "stop"


def create_api(rag: RAG, *, api_key: str | None = None) -> FastAPI:
    """The API app over ``rag``; with ``api_key`` every request needs ``Authorization: Bearer <key>``.

    Mount it beside another app with ``parent.mount("/", api)`` after the parent's
    own routes, or serve it alone with uvicorn (``rag serve --api-only``).
    """
    app = FastAPI(title="rag OpenAI-compatible API", docs_url=None, redoc_url=None, openapi_url=None)
    model_id = rag.settings.chat_model
    expected = api_key.encode() if api_key else None

    @app.middleware("http")
    async def _auth(request: Request, call_next: Any) -> Any:
        # Only the API's own routes: a UI mounted beside it (``rag serve``) keeps its own access rules.
        if expected is not None and request.url.path.startswith("/v1"):
            header = request.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
                return _error(
                    401, "Missing or wrong API key: send `Authorization: Bearer <key>`.", code="invalid_api_key"
                )
        return await call_next(request)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model_id, "object": "model", "created": 0, "owned_by": "rag"}]}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Any:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "The request body is not valid JSON.")
        try:
            question, history, options, stream = _parse(body, model_id)
            if stream:
                answer_stream = await run_in_threadpool(rag.stream, question, history, **options)
                return StreamingResponse(
                    _sse(answer_stream, model_id), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
                )
            answer = await run_in_threadpool(rag.ask, question, history, **options)
        except _RequestError as exc:
            return _error(exc.status, exc.message, param=exc.param, code=exc.code)
        except InputError as exc:
            return _error(400, str(exc), param="messages")
        except RagError as exc:
            log.warning("answer failed: %s", exc)
            return _error(500, str(exc))
        return JSONResponse(_completion(answer, model_id))

    return app


def _parse(body: Any, model_id: str) -> tuple[str, list[Any], dict[str, Any], bool]:
    if not isinstance(body, dict):
        raise _RequestError(400, "The request body must be a JSON object.")
    model = body.get("model", model_id)
    if model not in (model_id, "rag"):
        raise _RequestError(
            404, f"Unknown model {model!r}; GET /v1/models lists {model_id!r}.", param="model", code="model_not_found"
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _RequestError(400, "messages must be a non-empty list of {role, content} objects.", param="messages")
    last = messages[-1]
    if not isinstance(last, dict) or last.get("role") != "user":
        raise _RequestError(400, "The last message must be the user's question (role user).", param="messages")
    question = message_text(last.get("content"))
    if question is None:
        raise _RequestError(
            400,
            "The question (the last message) must be text or a list of text parts, "
            f"got {describe_value(last.get('content'))}.",
            param="messages",
        )
    options: dict[str, Any] = {}
    temperature = body.get("temperature")
    if temperature is not None:
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not 0 <= temperature <= 2:
            raise _RequestError(400, "temperature must be a number between 0 and 2.", param="temperature")
        options["temperature"] = float(temperature)
    top_k = body.get("top_k")
    if top_k is not None:
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50:
            raise _RequestError(400, "top_k must be an integer between 1 and 50.", param="top_k")
        options["top_k"] = top_k
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise _RequestError(400, "stream must be true or false.", param="stream")
    return question, messages[:-1], options, stream


def _completion(answer: Answer, model_id: str) -> dict[str, Any]:
    t = answer.timings
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": _finish_reason(answer),
            }
        ],
        "usage": {
            "prompt_tokens": t.prompt_tokens,
            "completion_tokens": t.generated_tokens,
            "total_tokens": t.prompt_tokens + t.generated_tokens,
        },
        "citations": citations_json(answer),
        "abstained": answer.abstained,
    }


def _sse(stream: Any, model_id: str) -> Iterator[str]:
    """Server-sent events for a streaming answer; a client that goes away cancels generation."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time())}
    base["model"] = model_id

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    streamed: list[str] = []
    try:
        yield event({"role": "assistant", "content": ""})
        for piece in stream:
            streamed.append(piece)
            yield event({"content": piece})
        answer = stream.answer()
        extra: dict[str, Any] = {"citations": citations_json(answer), "abstained": answer.abstained}
        if " ".join(answer.text.split()) != " ".join("".join(streamed).split()):
            extra["replaced_content"] = answer.text
        yield event({}, _finish_reason(answer), **extra)
        yield "data: [DONE]\n\n"
    finally:
        stream.cancel()  # no-op when finished; frees the model when the client disconnected
