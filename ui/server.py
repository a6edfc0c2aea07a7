"""Serving the chat UI: launch options, the OpenAI-compatible API beside it, and ``rag serve``.

:func:`launch` opens the index and models once and serves the page built by
:class:`ui.app.ChatApp`, with ``rag.api`` at ``/v1`` and, when asked, Gradio's MCP
server. :func:`launch_options` keeps the server to what it must serve: loopback
by default, no share link, the data and model folders blocked, and on loopback a
trusted-host check against DNS rebinding.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from rag import RAG, Settings
from ui.app import ChatApp
from ui.render import CSS

__all__ = ["LOOPBACK", "create_app", "launch", "launch_options", "with_api"]

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def launch_options(settings: Settings, *, mcp: bool = False, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch``: loopback by default, no share link, nothing extra served."""
    s = settings
    options: dict[str, Any] = {
        "server_name": s.host,
        "server_port": s.port,
        "share": False,
        "inbrowser": False,
        "max_file_size": s.max_upload_mb * 1024 * 1024,
        # The index and the models must never be reachable through /gradio_api/file=.
        "allowed_paths": [],
        "blocked_paths": [str(Path(s.data_dir).resolve()), str(Path(s.models_dir).resolve())],
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": mcp,
        "pwa": False,
        "enable_monitoring": False,
        "footer_links": ["api", "settings"],
        "css": CSS,
    }
    if s.host in LOOPBACK:
        # DNS rebinding: a page whose name is re-pointed at 127.0.0.1 would otherwise pass
        # Gradio's CORS check (it trusts the Host header) and could drive the UI.
        from starlette.middleware import Middleware
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        hosts = ["127.0.0.1", "localhost", "[::1]", "::1"]
        options["app_kwargs"] = {"middleware": [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]}
    options.update(overrides)
    return options


def with_api(options: dict[str, Any], api: Any) -> dict[str, Any]:
    """``options`` (from :func:`launch_options`) that also serve ``api`` (``rag.api.create_api``) at ``/v1``.

    The API's routes come before Gradio's in the one server ``demo.launch`` starts,
    so they get the same middleware (the trusted-host check on loopback) and the
    API keeps its own (the API key check).
    """
    from starlette.routing import Mount

    app_kwargs = dict(options.get("app_kwargs") or {})
    app_kwargs["routes"] = [*app_kwargs.get("routes", []), Mount("/v1", app=_Unmounted(api, "/v1"))]
    return {**options, "app_kwargs": app_kwargs}


class _Unmounted:
    """An ASGI app mounted at ``prefix`` that sees the full path, as if it were not mounted.

    ``rag.api`` routes are written as ``/v1/...``; a Starlette ``Mount`` would strip
    the prefix from what they match.
    """

    def __init__(self, app: Any, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        root = scope.get("root_path", "")
        if root.endswith(self.prefix):
            scope = {**scope, "root_path": root[: -len(self.prefix)]}
        await self.app(scope, receive, send)


def create_app(rag: RAG, **options: Any) -> gr.Blocks:
    """The Blocks app over ``rag`` (for tests and embedding); see :class:`ChatApp`."""
    return ChatApp(rag, **options).build()


def launch(settings: Settings, *, mcp: bool = False, api_key: str | None = None) -> None:
    """Open the index and models once, then serve the UI until interrupted (``rag serve``).

    The OpenAI-compatible API (:func:`rag.api.create_api`) is served at ``/v1`` of the
    same server when the host is loopback or ``api_key`` is given (off loopback, only
    with a key). ``mcp``: also serve Gradio's MCP server, whose tools are ``ask`` and
    ``search`` (needs ``gradio[mcp]``).
    """
    from rag.api import create_api

    rag = RAG.open(settings=settings)
    app = ChatApp(rag, mcp=mcp)
    log.info("loading chat model %s", settings.chat_model)
    app.warm_up()
    if settings.host not in LOOPBACK:
        log.warning("serving on %s: anyone who can reach this address can use the UI", settings.host)
    demo = app.build()
    options = launch_options(settings, mcp=mcp)
    if settings.host in LOOPBACK or api_key:
        options = with_api(options, create_api(rag, api_key=api_key))
        # Printed like Gradio's own "* Running on local URL" line, which follows it.
        print(f"* OpenAI-compatible API at http://{settings.host}:{settings.port}/v1", flush=True)
    else:
        log.warning("the API is not served on %s without an API key (--api-key or RAG_API_KEY)", settings.host)
    if mcp:
        log.info("MCP server at http://%s:%d/gradio_api/mcp/", settings.host, settings.port)
    log.info("serving on http://%s:%d", settings.host, settings.port)
    demo.launch(**options)
