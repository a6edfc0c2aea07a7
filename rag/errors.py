"""The error hierarchy of the library.

Every error a user can cause or fix derives from :class:`RagError`, and its message
names the offending value and the command or setting that fixes it. Front-ends
print ``str(error)`` on one line; they never need a traceback to explain it.

::

    RagError
    ├── ConfigError            invalid setting, from a file, the environment or a flag
    ├── ModelNotFoundError     a model file or package is missing
    │   └── ModelCorruptError  a model file is present but fails its checksum or load
    ├── IndexStateError            the index cannot be used as asked
    │   ├── IndexMismatchError built with another embedder or chunker
    │   └── IndexLockedError   another process is writing to it
    ├── InputError             a question, path or document that cannot be used
    │   ├── QuestionError      empty or over-long question
    │   └── DocumentError      unreadable, binary or empty document, missing path
    └── BackendError           a backend (LLM server, Chroma server) failed to answer
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ConfigError",
    "DocumentError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexStateError",
    "InputError",
    "ModelCorruptError",
    "ModelNotFoundError",
    "QuestionError",
    "RagError",
]


class RagError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigError(RagError):
    """A configuration value is invalid."""


class ModelNotFoundError(RagError):
    """A model file or weight package is missing."""


class ModelCorruptError(ModelNotFoundError):
    """A model file exists but is damaged (checksum mismatch or failed load)."""


class IndexStateError(RagError):
    """The index cannot be used as asked."""


class IndexMismatchError(IndexStateError):
    """The index was built with different embedder or chunker settings."""


class IndexLockedError(IndexStateError):
    """Another process holds the index's write lock."""


class InputError(RagError):
    """User input that cannot be used."""


class QuestionError(InputError):
    """The question is empty or too long."""


class DocumentError(InputError):
    """A document or path cannot be ingested."""


class BackendError(RagError):
    """A backend service failed or answered something unusable."""
