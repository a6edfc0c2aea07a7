"""Command-line mistakes as one line that says how to fix them.

Click's usage errors (an unknown option, a bad value, a missing argument) become
``error: <click's message> <the fix>``: a name that starts with a dash gets the
corrected command with ``--``, anything else the usage line and where the help is.
Used by ``rag.cli.main``; pure string work on the error and the arguments.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

import typer
import typer.main

__all__ = ["CLI_ERRORS", "DASH_HINT", "usage_error"]

DASH_HINT = "Put -- before names that start with a dash"

# Typer >= 0.20 vendors click (typer._click) and derives its errors from TyperException;
# older Typer raises click's own. Both carry exit_code: 2 for usage errors.
CLI_ERRORS: tuple[type[Exception], ...] = (typer.TyperException,)
try:
    import click

    CLI_ERRORS += (click.ClickException,)
except ImportError:  # pragma: no cover - Typer without click
    pass


def usage_error(exc: Exception, args: Sequence[str], app: typer.Typer) -> str:
    """One line for a command-line mistake: click's message, then how to fix it."""
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
    message += "" if message.endswith((".", "?", "!")) else "."
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoSuchOption":
        i = _dashed_name(args, str(getattr(exc, "option_name", "")))
        if i is not None:
            # The name goes last: after "--" every word is a name, so options must come before it.
            return f"{message} {DASH_HINT}: {shlex.join(['rag', *args[:i], *args[i + 1 :], '--', args[i]])}"
    if type(exc).__name__ == "BadParameter":
        value = _option_value(args, getattr(getattr(exc, "param", None), "opts", []))
        if value is not None:
            message = message.replace("Invalid value for", f"Invalid value {value!r} for", 1)
    if ctx is None:  # e.g. "Option '--top-k' requires an argument."
        return f"{message} See `{_command_path(args, app)} --help`."
    usage = " ".join(ctx.get_usage().split())
    commands = getattr(ctx.command, "list_commands", None)
    if message.startswith("Missing command") and commands is not None:
        message += f" Commands: {', '.join(commands(ctx))}."
    return f"{message} {usage} (`{ctx.command_path} --help` explains each option)."


def _command_path(args: Sequence[str], app: typer.Typer) -> str:
    """``rag ask`` for ``--data-dir d ask x --top-k``: the (sub)commands named in ``args``."""
    path, command = ["rag"], typer.main.get_command(app)
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            path.append(arg)
            command = sub
    return " ".join(path)


def _dashed_name(args: Sequence[str], option: str) -> int | None:
    """Where ``option`` (click's NoSuchOption) came from, if that argument is a name rather than a flag."""
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if option and arg.startswith(option):
            # "-x" or "--top-kk" is a mistyped flag; "-notes.txt" or "-what is new?" is a name.
            looks_like_flag = (arg.startswith("--") or len(arg) == 2) and all(c.isalnum() or c == "-" for c in arg)
            return None if looks_like_flag else i
    return None


def _option_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value given to one of ``opts`` on the command line (``--top-k abc`` or ``--top-k=abc``)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg in opts and i + 1 < len(args):
            return args[i + 1]
        name, eq, value = arg.partition("=")
        if eq and name in opts:
            return value
    return None
