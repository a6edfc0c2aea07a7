from pathlib import Path

import pytest

from rag.config import Settings, load_settings
from rag.errors import ConfigError


def test_precedence_defaults_file_env_arguments(tmp_path: Path) -> None:
    cfg = tmp_path / "rag.toml"
    cfg.write_text('top_k = 7\ntemperature = 0.5\nchat_model = "qwen2.5-0.5b"\n')
    env = {"RAG_TOP_K": "9", "RAG_N_CTX": "2048"}
    s = load_settings(cfg, env=env, top_k=3, temperature=None)
    assert s.top_k == 3  # argument beats environment and file
    assert s.n_ctx == 2048  # environment beats default
    assert s.temperature == 0.5  # file beats default; a None argument is ignored
    assert s.chat_model == "qwen2.5-0.5b"
    assert s.max_tokens == Settings().max_tokens  # untouched default


def test_config_file_from_environment_and_paths(tmp_path: Path) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "idx"}"\n')
    s = load_settings(env={"RAG_CONFIG": str(cfg)})
    assert s.data_dir == tmp_path / "idx"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"RAG_TOP_K": "many"}, "top_k='many'"),
        ({"RAG_TOP_K": "0"}, "top_k=0 from environment variable RAG_TOP_K: must be between"),
        ({"RAG_TEMPERATURE": "hot"}, "temperature='hot'"),
        ({"RAG_TEMPERATURE": "5"}, "temperature=5.0 from environment variable RAG_TEMPERATURE: must be between"),
        ({"RAG_LLM_BACKEND": "gpt"}, "llm_backend='gpt' from environment variable RAG_LLM_BACKEND: must be"),
        ({"RAG_PORT": "70000"}, "port=70000 from environment variable RAG_PORT: must be between"),
        ({"RAG_CHUNK_OVERLAP": "150"}, "chunk_overlap"),
        ({"RAG_N_CTX": "1.5"}, "n_ctx='1.5'"),
    ],
)
def test_invalid_environment_values_name_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    assert fragment in str(info.value)


def test_unknown_and_malformed_config_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("top_k = 5\nbogus = 1\n")
    with pytest.raises(ConfigError, match="Unknown setting"):
        load_settings(bad, env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("top_k = = 5")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, env={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})


def test_unknown_argument_is_refused() -> None:
    with pytest.raises(ConfigError, match="Unknown setting 'topk'"):
        load_settings(env={}, topk=3)
