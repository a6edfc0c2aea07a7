"""FTS5 on the bench's 100k-chunk keyword index: ORDER BY bm25() vs the rank column, and
how many rows common query words match. Needs `python -m bench --suite query` to have built
data/bench/query-100000. Works on a copy; the index is not changed.

    .venv/bin/python eval/probe_fts5.py
"""

import re
import shutil
import sqlite3
import statistics
import tempfile
import time

from rag.backends.keyword import STOPWORDS

src = "data/bench/query-100000/keyword-news.sqlite3"
copy = tempfile.mkdtemp() + "/kw100k.sqlite3"
shutil.copy(src, copy)
db = sqlite3.connect(copy)
db.execute("INSERT INTO chunks(chunks, rank) VALUES('rank', 'bm25(1.0, 0.5)')")
db.commit()
qs = [
    "What did the defence minister say about the new air defence systems?",
    "How many soldiers will the training mission prepare this year?",
    "Which countries signed the energy agreement in Brussels?",
    "When will the parliament vote on the budget proposal?",
] * 5


def match(q):
    words = [w for w in dict.fromkeys(w.lower() for w in re.findall(r"\w+", q)) if w not in STOPWORDS]
    return " OR ".join(f'"{w}"' for w in words)


A = "SELECT rowid, bm25(chunks, 1.0, 0.5) AS s FROM chunks WHERE chunks MATCH ? ORDER BY s LIMIT 20"
B = "SELECT rowid, rank FROM chunks WHERE chunks MATCH ? ORDER BY rank LIMIT 20"
C = "SELECT count(*) FROM chunks WHERE chunks MATCH ?"
res = {"bm25": [], "rank": []}
for q in qs[:40]:
    m = match(q)
    for name, sql in (("bm25", A), ("rank", B)):
        t = time.perf_counter()
        db.execute(sql, (m,)).fetchall()
        res[name].append(time.perf_counter() - t)
    assert [r[0] for r in db.execute(A, (m,)).fetchall()] == [r[0] for r in db.execute(B, (m,)).fetchall()]
for k, v in res.items():
    print(k, "p50 %.1f ms" % (1000 * statistics.median(v)))
print(
    "matches of first query:",
    db.execute(C, (match(qs[0]),)).fetchone(),
    "of",
    db.execute("SELECT count(*) FROM chunks").fetchone(),
)
print(qs[:2])
print("--- df per term")
for w in ["defence", "minister", "new", "systems", "air", "soldiers", "brussels", "budget"]:
    t = time.perf_counter()
    n = db.execute(C, (f'"{w}"',)).fetchone()[0]
    dt = time.perf_counter() - t
    print(w, n, "%.1f ms" % (dt * 1000))
