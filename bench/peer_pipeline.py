"""The peer pipeline of `python -m bench --suite peer`: a plain LangChain RAG over seeds/.

Runs inside its own virtual environment (``data/bench/peer-venv``, made by the peer
suite, :mod:`bench.peer`); it never imports ``rag``, and LangChain is never a dependency
of the product. Same models, k, chunk size and system prompt as ours, passed in as a
JSON argument:

    python bench/peer_pipeline.py '{"model_path": ..., "embed_path": ..., "seeds_dir": ..., ...}'

The pipeline is the textbook one: TextLoader → RecursiveCharacterTextSplitter counted
in the embedder's word pieces → HuggingFaceEmbeddings → Chroma (cosine) → a k-nearest
retriever → ChatPromptTemplate → ChatLlamaCpp, streamed through an LCEL chain.

Protocol (JSON lines): after indexing and loading the models it prints
``{"event": "ready", "index_s": ..., "chunks": ..., "versions": {...}}``; then for each
``{"question": ..., "reset": true}`` read on stdin it prints ``{"answer", "first_token_s",
"total_s", "retrieve_s"}``. ``reset`` clears llama.cpp's KV cache first, as the bench does
on our side. Errors are printed as ``{"error": "..."}``. It exits when stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# The peer's prompt: the system prompt, then this user message (bench/peer_prompt_tokens.py
# rebuilds it to count its tokens).
USER_TEMPLATE = "Sources:\n<sources>\n{context}\n</sources>\n\nQuestion: {question}"
SOURCE_TEMPLATE = '<source id="{n}">\n{text}\n</source>'


def format_sources(texts: list[str]) -> str:
    """The ``{context}`` of :data:`USER_TEMPLATE`: the retrieved passages, numbered from 1."""
    return "\n\n".join(SOURCE_TEMPLATE.format(n=i, text=t) for i, t in enumerate(texts, 1))


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def build(cfg: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    import torch
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_community.chat_models import ChatLlamaCpp
    from langchain_community.document_loaders import TextLoader
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from transformers import AutoTokenizer

    torch.set_num_threads(cfg["n_threads"])
    embeddings = HuggingFaceEmbeddings(
        model_name=cfg["embed_path"],
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )
    splitter = RecursiveCharacterTextSplitter.from_huggingface_tokenizer(
        AutoTokenizer.from_pretrained(cfg["embed_path"]),
        chunk_size=cfg["chunk_tokens"],
        chunk_overlap=cfg["chunk_overlap"],
    )
    # Timed like our ingest: models are loaded, the index folder is new.
    t0 = time.perf_counter()
    docs = []
    for path in sorted(Path(cfg["seeds_dir"]).glob("*.txt")):
        docs.extend(TextLoader(str(path), encoding="utf-8").load())
    chunks = splitter.split_documents(docs)
    store = Chroma.from_documents(
        chunks,
        embeddings,
        collection_name="peer",
        persist_directory=cfg["index_dir"],
        collection_metadata={"hnsw:space": "cosine"},
        client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
    )
    index_s = time.perf_counter() - t0
    retriever = store.as_retriever(search_kwargs={"k": cfg["k"]})
    llm = ChatLlamaCpp(
        model_path=cfg["model_path"],
        n_ctx=cfg["n_ctx"],
        n_threads=cfg["n_threads"],
        n_batch=cfg["n_batch"],
        model_kwargs={"n_threads_batch": cfg["n_threads"]},
        seed=0,
        max_tokens=cfg["max_tokens"],
        temperature=cfg["temperature"],
        top_p=1.0,
        top_k=1 if cfg["temperature"] == 0 else 40,
        repeat_penalty=1.0,
        streaming=True,
        verbose=False,
    )
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", cfg["system_prompt"]),
            ("human", USER_TEMPLATE),
        ]
    )
    timing: dict[str, float] = {}

    def format_docs(found: list[Any]) -> str:
        timing["retrieved"] = time.perf_counter()
        return format_sources([d.page_content for d in found])

    chain = (
        {"context": retriever | RunnableLambda(format_docs), "question": RunnablePassthrough()}
        | prompt
        | llm
        | StrOutputParser()
    )
    from importlib import metadata

    versions = {
        p: metadata.version(p)
        for p in ("langchain-core", "langchain-community", "langchain-chroma", "langchain-huggingface", "chromadb")
    }
    ready = {"event": "ready", "index_s": index_s, "chunks": len(chunks), "versions": versions}
    return chain, (llm, timing), ready


def main() -> None:
    cfg = json.loads(sys.argv[1])
    try:
        chain, (llm, timing), ready = build(cfg)
    except Exception as exc:  # report any setup failure to the bench in one line
        emit({"error": f"{type(exc).__name__}: {exc}"})
        raise SystemExit(1) from None
    emit(ready)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if req.get("reset"):
            llm.client.reset()
        timing.clear()
        t0 = time.perf_counter()
        first = None
        pieces = []
        for piece in chain.stream(req["question"]):
            if piece and first is None:
                first = time.perf_counter() - t0
            pieces.append(piece)
        total = time.perf_counter() - t0
        emit(
            {
                "answer": "".join(pieces),
                "first_token_s": first,
                "total_s": total,
                "retrieve_s": timing.get("retrieved", t0) - t0,
            }
        )


if __name__ == "__main__":
    main()
