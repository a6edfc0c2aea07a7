"""Prompt lengths, ours vs the LangChain peer, for the bench's 8 answerable seed questions.

Needs a finished `rag bench --suite answer,peer` (its seeds/ index and the peer's Chroma
index under data/bench/). The peer's prompt is rebuilt from its own index with its own
template (eval/bench_peer.py); both are counted with the chat model's tokenizer.

    .venv/bin/python eval/probes/peer_prompt_tokens.py
"""

import statistics

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag import RAG
from rag.evaluation import load_dataset
from rag.prompting import SYSTEM_PROMPT

rag = RAG.open(data_dir="data/bench/seeds")
llm = rag.llm()
col = chromadb.PersistentClient(
    "data/bench/peer-index", settings=ChromaSettings(anonymized_telemetry=False)
).get_collection("peer")
qs = [q for q in load_dataset("eval/seed.jsonl") if q.type == "answerable"][:8]
ours, peer = [], []
for q in qs:
    s = rag.stream(q.question)
    ours.append(s._plan.prompt_tokens)
    [v] = rag.embedder.embed([q.question])
    res = col.query(query_embeddings=[v], n_results=5, include=["documents"])
    ctx = "\n\n".join(f'<source id="{i}">\n{d}\n</source>' for i, d in enumerate(res["documents"][0], 1))
    user = f"Sources:\n<sources>\n{ctx}\n</sources>\n\nQuestion: {q.question}"
    peer.append(llm.count_tokens(SYSTEM_PROMPT) + llm.count_tokens(user) + 24)  # 3 x our per-message overhead
    print(q.id, ours[-1], peer[-1])
ratio = statistics.median([a / b for a, b in zip(ours, peer, strict=True)])
print(f"median ours {statistics.median(ours):.0f} peer {statistics.median(peer):.0f} ratio {ratio:.3f}")
