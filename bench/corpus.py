"""The synthetic news corpus of the ingest and query suites: deterministic for a seed.

Articles, sentences, questions and pre-chunked passages are built from templates over a
small news vocabulary, so the same seed always gives the same corpus on every machine.
It does not read or write files; the suites cache what they embed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from rag.chunking import chunk_id
from rag.types import Chunk, Document

__all__ = [
    "CORPUS_VERSION",
    "news_documents",
    "news_sentences",
    "pool_size_for",
    "synthetic_chunks",
    "synthetic_questions",
]

CORPUS_VERSION = 1  # bump when the synthetic corpus changes: cached query indexes are rebuilt

_PEOPLE = (
    ("Anna Kovacs", "finance minister"),
    ("Marek Nowak", "defence minister"),
    ("Lucia Ferreira", "mayor"),
    ("Tomas Lind", "central bank governor"),
    ("Amara Okafor", "health minister"),
    ("Kenji Watanabe", "trade envoy"),
    ("Sofia Petrova", "energy minister"),
    ("David Mensah", "opposition leader"),
    ("Elena Rossi", "prime minister"),
    ("Jonas Berg", "union leader"),
    ("Priya Nair", "foreign minister"),
    ("Omar Haddad", "transport minister"),
    ("Claire Dubois", "EU commissioner"),
    ("Mateo Alvarez", "police chief"),
    ("Ingrid Holm", "environment minister"),
    ("Yusuf Demir", "interior minister"),
    ("Hana Novak", "education minister"),
    ("Samuel Adeyemi", "central bank economist"),
    ("Laura Schmidt", "chief executive"),
    ("Viktor Horvat", "army chief of staff"),
    ("Mei Chen", "port authority director"),
    ("Pablo Ortega", "agriculture minister"),
    ("Rana Saleh", "UN envoy"),
    ("Niklas Weber", "spokesman"),
)


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep))


_ORGS = _split(
    "the European Commission|NATO|the World Bank|the IMF|the city council|the central bank|"
    "the UN Security Council|the health ministry|the port authority|the energy regulator|"
    "the transport union|the supreme court|the finance ministry|the national railway|"
    "the World Health Organization|the election commission|the defence ministry|"
    "the statistics office|the farmers' association|the African Union",
    "|",
)
_PLACES = _split(
    "Warsaw Lisbon Nairobi Jakarta Ottawa Lima Oslo Accra Hanoi Tbilisi Vilnius Santiago Manila Dakar Zagreb Brussels Kyiv Ankara Seoul Cairo Bogota Helsinki Riga Athens"
)
_TOPICS = _split(
    "grain exports|the wildfire season|a new rail link|interest rates|the election recount|"
    "drought relief|the vaccine rollout|steel tariffs|offshore wind farms|the teachers' strike|"
    "refugee housing|cyber attacks on hospitals|the budget deficit|flood defences|fishing quotas|"
    "chip manufacturing|air pollution|the peace talks|pension reform|a mining licence|"
    "military training for Ukraine|ammunition production|border controls|food prices|"
    "the housing shortage|a gas pipeline|electric buses|the fuel subsidy",
    "|",
)
_VERBS = _split("announced criticised defended approved postponed questioned welcomed rejected outlined proposed")
_MONTHS = _split("January February March April May June July August September October November December")
_SENTENCES = (
    "The {role} {person} {verb} plans for {topic} in {place} on {date}.",
    "{Org} said it would spend {amount} on {topic} over the next {n} years.",
    "Speaking in {place}, {person} warned that {topic} could cost the region {amount}.",
    "Officials at {org} {verb} a proposal on {topic} after two days of talks in {place}.",
    "About {count} people gathered in {place} on {date} to protest against {topic}.",
    "{Org} estimated that {topic} had affected {count} households since {month}.",
    "The agreement on {topic}, signed in {place} on {date}, runs until {year}.",
    "Critics, including {person}, said {org} had moved too slowly on {topic}.",
    "{person} told reporters in {place} that {org} would review {topic} by {month}.",
    "Analysts expect {topic} to dominate the agenda when leaders meet in {place} in {month}.",
    "A report by {org} found that spending on {topic} rose by {pct} percent in {year}.",
    "{person}, the {role}, resigned on {date} amid criticism over {topic}.",
    "In {place}, {org} set aside {amount} for {topic}, the largest such sum since {year}.",
    "{person} said {topic} was the main reason {org} {verb} the budget in {month}.",
    "More than {count} workers in {place} will be affected by the decision on {topic}, {org} said.",
    "The {role} {person} is expected to visit {place} in {month} to discuss {topic}.",
)
_QUESTIONS = (
    "What did {person} say about {topic}?",
    "How much did {org} set aside for {topic} in {place}?",
    "When will {org} review {topic}?",
    "Why did {person} resign?",
    "How many people protested against {topic} in {place}?",
    "Who criticised {org} over {topic}?",
    "What did the {role} announce in {place}?",
    "How much did spending on {topic} rise in {year}?",
    "When was the agreement on {topic} signed?",
    "Which leaders will meet in {place} to discuss {topic}?",
)


def _fill(template: str, rng: random.Random) -> str:
    person, role = rng.choice(_PEOPLE)
    org = rng.choice(_ORGS)
    values = {
        "person": person,
        "role": role,
        "org": org,
        "Org": org[0].upper() + org[1:],
        "place": rng.choice(_PLACES),
        "topic": rng.choice(_TOPICS),
        "verb": rng.choice(_VERBS),
        "month": rng.choice(_MONTHS),
        "date": f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}",
        "year": str(rng.randint(2015, 2026)),
        "amount": f"{rng.randint(2, 950)} million {rng.choice(('euros', 'dollars', 'pounds'))}",
        "count": f"{rng.randint(2, 99) * 100:,}",
        "pct": str(rng.randint(2, 60)),
        "n": str(rng.randint(2, 10)),
    }
    return template.format(**values)


def news_sentences(n: int, *, seed: int = 7) -> list[str]:
    """``n`` distinct news-like sentences, always the same for the same ``seed``."""
    rng = random.Random(f"sentences-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    out: dict[str, None] = {}
    while len(out) < n:
        out.setdefault(_fill(rng.choice(_SENTENCES), rng), None)
    return list(out)


def synthetic_questions(n: int, *, seed: int = 7) -> list[str]:
    """``n`` questions in the style of the corpus (some distinct, repeats allowed)."""
    rng = random.Random(f"questions-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    return [_fill(rng.choice(_QUESTIONS), rng) for _ in range(n)]


def _headline(rng: random.Random) -> tuple[str, str, str]:
    org = rng.choice(_ORGS)
    topic = rng.choice(_TOPICS)
    title = f"{org[0].upper() + org[1:]} {rng.choice(_VERBS)} {topic} in {rng.choice(_PLACES)}"
    date = f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    slug = "-".join(w.strip("'").lower() for w in title.split()[:8])
    return title, date, f"https://news.example/{date[:4]}/{date[5:7]}/{slug}"


def news_documents(n: int, *, seed: int = 7, paragraphs: tuple[int, int] = (5, 9)) -> list[Document]:
    """``n`` synthetic news articles (title, date, URL, 5–9 paragraphs of 2–4 sentences)."""
    rng = random.Random(f"documents-{seed}")  # noqa: S311 - a reproducible corpus, not a secret
    docs = []
    for i in range(n):
        title, date, url = _headline(rng)
        paras = [
            " ".join(_fill(rng.choice(_SENTENCES), rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(*paragraphs))
        ]
        text = title + "\n\n" + "\n\n".join(paras)
        docs.append(
            Document(
                doc_id=f"bench-{i:05d}.txt",
                text=text,
                title=title,
                url=url,
                date=date,
                content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
        )
    return docs


def synthetic_chunks(
    size: int, pool: Sequence[str], *, seed: int = 7, per_doc: int = 8
) -> list[tuple[Chunk, list[int]]]:
    """``size`` chunks of 6–8 sentences drawn from ``pool``, with the pool indices of each.

    A chunk's vector is then the normalised mean of its sentences' real embeddings: cheap
    for 100k chunks, and a vector that still matches what the chunk's words are about
    (the query suite measures how close it is to the real chunk embedding).
    """
    rng = random.Random(f"chunks-{seed}-{size}")  # noqa: S311 - a reproducible corpus, not a secret
    out: list[tuple[Chunk, list[int]]] = []
    title = date = url = ""
    for i in range(size):
        if i % per_doc == 0:
            title, date, url = _headline(rng)
        doc_id = f"synth-{i // per_doc:06d}.txt"
        idx = rng.sample(range(len(pool)), rng.randint(6, 8))
        text = " ".join(pool[j] for j in idx)
        chunk = Chunk(
            chunk_id=chunk_id(doc_id, text),
            doc_id=doc_id,
            text=text,
            start=0,
            end=len(text),
            ordinal=i % per_doc,
            title=title,
            url=url,
            date=date,
            doc_hash=hashlib.sha256(doc_id.encode()).hexdigest(),
            ingested_at=1.7e9,
        )
        out.append((chunk, idx))
    return out


def pool_size_for(size: int) -> int:
    """Distinct sentences behind a corpus of ``size`` chunks (embedded with the real model)."""
    return min(3000, max(300, size // 3))
