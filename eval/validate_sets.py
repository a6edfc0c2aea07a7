"""Check the hand-written evaluation sets in ``eval/`` against the rules in ``eval/README.md``.

Pure Python (standard library only): it reads the seed articles and the sets and never loads
a model or the ``rag`` package. It checks

* ``seed.jsonl``: every rule of the README's Validation section (JSON, key order, sequential
  ids, types and splits, history only on follow-ups, empty ``expected``/``gold_docs`` for
  unanswerable questions, every fact verbatim in a gold article, every other alternative
  either a spelling/format variant found by :func:`loose` or listed in ``LISTED_VARIANTS``,
  multi-article questions drawing on two or more articles, the minimum counts, the dev share
  of each type) and that the two counts tables of the README match the file;
* ``followup_pairs.jsonl``: both ids exist, are follow-ups with the same history,
  ``expected``, ``gold_docs`` and split, name each other in ``notes``, and only the first
  question refers back with a pronoun;
* ``multilingual.jsonl``: the seed row format, ``ml-NNN`` ids, the language tag in ``notes``,
  at least 24 questions in at least 3 languages, facts verbatim in the gold article (in one
  alternative), a dev share of about one third;
* ``citation_judgements.jsonl``: key order, sequential ids, a citation marker in each
  sentence, each passage verbatim in its article after whitespace folding, known categories,
  at least 80 rows with roughly half supported.

It does not judge whether a label is *right* (that an unanswerable question is really
unanswerable is checked by reading, see the notes of each row), only that the files keep
their shape. Usage: ``python eval/validate_sets.py [ROOT]``; prints one line per problem and
exits 1, or prints a summary and exits 0.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

KEYS = ("id", "type", "question", "expected", "gold_docs", "history", "split", "notes")
TYPES = ("answerable", "unanswerable", "multi-article", "follow-up")
SPLITS = ("dev", "test")
JUDGEMENT_KEYS = ("id", "sentence", "passage", "doc_id", "supported", "category", "reason")
# The first six are the categories of the original 30 rows; see the README for each.
JUDGEMENT_CATEGORIES = frozenset(
    {
        "supported",
        "wrong-number",
        "wrong-entity",
        "contradiction",
        "partial",
        "unrelated",
        "wrong-date",
        "not-stated",
        "other-passage",
        "negation",
        "other-article",
    }
)
LANGUAGES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian"}
PRONOUNS = frozenset({"it", "its", "they", "them", "their", "he", "him", "his", "she", "her", "that", "there"})
# A spelled-out follow-up may use "that" as a conjunction, never these.
REFERRING = PRONOUNS - {"that"}
DEV_SHARE = (0.25, 0.45)  # "about one third" of each type is dev

# Alternatives of seed.jsonl facts that are neither in the gold article nor a variant that
# ``loose`` recognises: each is an explicitly accepted format/wording variant, with the reason.
LISTED_VARIANTS: dict[str, str] = {
    "over a thousand": "wording of 'more than a thousand'",
    "over 1,000": "wording of 'more than a thousand'",
    "United Kingdom": "the article's 'Britain'",
    "high-level talks": "wording of 'high-level discussions'",
    "EUR 16 million": "currency form of '16 million euros'",
    "€16 million": "currency form of '16 million euros'",
    "16m euros": "number form of '16 million euros'",
    "€16m": "currency form of '16 million euros'",
    "off the table": "wording of 'not on the table'",
    "not for now": "wording of 'not on the table for now'",
    "not at the moment": "wording of 'not on the table for now'",
    "not currently": "wording of 'not on the table for now'",
    "didn't take part": "contraction of 'did not take part'",
    "did not participate": "wording of 'did not take part'",
    "didn't participate": "wording of 'did not take part'",
    "did not attend": "wording of 'did not take part'",
    "didn't attend": "wording of 'did not take part'",
    "not present": "wording of 'did not take part'",
    "absent": "wording of 'did not take part'",
    "direct talks": "wording of 'direct negotiations'",
    "Agence France-Presse": "expansion of 'AFP'",
    "fully operational": "wording of 'full operational capacity'",
    "full operating capacity": "wording of 'full operational capacity'",
    "full capacity": "wording of 'full operational capacity'",
    "30 days": "wording of '30-day'",
    "thirty days": "number word of '30-day'",
    "demilitarization": "noun of 'demilitarize'",
    "demilitarisation": "noun of 'demilitarize' (British spelling)",
    "technology": "singular of 'technologies'",
    "cyber security": "spelling of 'cybersecurity'",
    "cyber-security": "spelling of 'cybersecurity'",
    "15 countries": "the article's '15 other countries'",
    "Polish": "adjective of 'Poland'",
    "Italian": "adjective of 'Italy'",
}

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "\u00a0": " "})
_SPELLING = (
    (re.compile(r"isation\b"), "ization"),
    (re.compile(r"ise(d|s)?\b"), r"ize\1"),
    (re.compile(r"our\b"), "or"),
    (re.compile(r"oured\b"), "ored"),
    (re.compile(r"ence\b"), "ense"),
    (re.compile(r"\bprogramme\b"), "program"),
)
_NUMBER_WORDS = {"a thousand": "1000", "thirty four": "34", "thirty": "30", "fifteen": "15"}
_MONTHS = {"jan": "january", "feb": "february", "mar": "march", "nov": "november", "dec": "december"}
_DAY_MONTH = re.compile(
    r"\b(\d{1,2}) (january|february|march|april|may|june|july|august|september|october|november|december)\b"
)


@lru_cache(maxsize=4096)  # called on the same article texts for every fact
def fold(text: str) -> str:
    """NFKC, casefold, straight quotes and dashes, whitespace runs folded to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


@lru_cache(maxsize=4096)
def loose(text: str) -> str:
    """``fold`` plus: accents and punctuation dropped, British spelling to American, number
    words to digits, thousands separators dropped, "12 March" to "march 12". Used only to
    accept spelling/format variants, never to find a fact.
    """
    t = unicodedata.normalize("NFKD", fold(text))
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = " ".join(re.sub(r"[^\w€$£%]+", " ", t).split())
    for word, digits in _NUMBER_WORDS.items():  # before spelling, which would make "four" "for"
        t = re.sub(rf"\b{word}\b", digits, t)
    for pattern, repl in _SPELLING:
        t = pattern.sub(repl, t)
    for short, month in _MONTHS.items():
        t = re.sub(rf"\b{short}\b", month, t)
    return _DAY_MONTH.sub(r"\2 \1", t)


def load_articles(seeds: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))}


def read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not path.is_file():
        problems.append(f"{path}: missing")
        return rows
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{path.name}:{number}: not a JSON object")
            continue
        raw["_line"] = number
        rows.append(raw)
    return rows


def _where(path: Path, row: dict[str, Any]) -> str:
    return f"{path.name}:{row['_line']} ({row.get('id', '?')})"


def _check_row_shape(path: Path, row: dict[str, Any], types: tuple[str, ...], problems: list[str]) -> bool:
    where = _where(path, row)
    keys = tuple(k for k in row if k != "_line")
    if keys != KEYS:
        problems.append(f"{where}: keys {keys} are not in schema order {KEYS}")
        return False
    for key in ("id", "question", "split", "notes"):
        if not isinstance(row[key], str) or not row[key].strip():
            problems.append(f"{where}: {key} must be a non-empty string")
            return False
    if row["type"] not in types:
        problems.append(f"{where}: type {row['type']!r} not one of {types}")
    if row["split"] not in SPLITS:
        problems.append(f"{where}: split {row['split']!r} not dev or test")
    exp = row["expected"]
    if not (
        isinstance(exp, list)
        and all(isinstance(f, list) and f and all(isinstance(a, str) and a.strip() for a in f) for f in exp)
    ):
        problems.append(f"{where}: expected must be a list of non-empty lists of strings")
        return False
    for fact in exp:
        if len({fold(a) for a in fact}) != len(fact):
            problems.append(f"{where}: fact {fact} repeats an alternative")
    if not (isinstance(row["gold_docs"], list) and all(isinstance(d, str) for d in row["gold_docs"])):
        problems.append(f"{where}: gold_docs must be a list of file names")
        return False
    hist = row["history"]
    if not (
        isinstance(hist, list)
        and all(
            isinstance(t, dict)
            and list(t) == ["question", "answer"]
            and all(isinstance(v, str) and v.strip() for v in t.values())
            for t in hist
        )
    ):
        problems.append(f"{where}: history must be a list of {{question, answer}} objects")
        return False
    return True


def _check_ids(path: Path, rows: list[dict[str, Any]], prefix: str, width: int, problems: list[str]) -> None:
    for i, row in enumerate(rows, 1):
        want = f"{prefix}{i:0{width}d}"
        if row.get("id") != want:
            problems.append(f"{_where(path, row)}: id should be {want} (ids are unique and sequential in file order)")
            return


def _check_dev_share(path: Path, rows: list[dict[str, Any]], problems: list[str]) -> None:
    by_type: dict[str, Counter[str]] = {}
    for row in rows:
        by_type.setdefault(row["type"], Counter())[row["split"]] += 1
    for qtype, counts in by_type.items():
        share = counts["dev"] / sum(counts.values())
        if not DEV_SHARE[0] <= share <= DEV_SHARE[1]:
            problems.append(f"{path.name}: {qtype} dev share {share:.2f} outside {DEV_SHARE} (about one third)")


def _fact_docs(fact: list[str], gold: list[str], articles: dict[str, str]) -> set[str]:
    """The gold articles holding at least one alternative of the fact verbatim (folded)."""
    return {d for d in gold if d in articles and any(fold(a) in fold(articles[d]) for a in fact)}


def validate_seed(path: Path, articles: dict[str, str], readme: Path | None = None) -> list[str]:
    problems: list[str] = []
    rows = read_jsonl(path, problems)
    good = [r for r in rows if _check_row_shape(path, r, TYPES, problems)]
    _check_ids(path, rows, "seed-", 3, problems)
    listed_used: set[str] = set()
    for row in good:
        where, qtype, exp, gold, hist = (
            _where(path, row),
            row["type"],
            row["expected"],
            row["gold_docs"],
            row["history"],
        )
        if qtype == "follow-up" and not 1 <= len(hist) <= 2:
            problems.append(f"{where}: a follow-up needs 1-2 history turns")
        if qtype != "follow-up" and hist:
            problems.append(f"{where}: only follow-ups have a history")
        if qtype == "unanswerable":
            if exp or gold:
                problems.append(f"{where}: an unanswerable question has empty expected and gold_docs")
            continue
        if not exp or not gold:
            problems.append(f"{where}: an answerable-type question needs expected facts and gold_docs")
            continue
        unknown = [d for d in gold if d not in articles]
        if unknown:
            problems.append(f"{where}: gold_docs {unknown} are not seed articles")
            continue
        if qtype in ("answerable", "follow-up") and len(gold) != 1:
            problems.append(f"{where}: a {qtype} question has exactly one gold article")
        docs_per_fact = []
        for i, fact in enumerate(exp, 1):
            docs = _fact_docs(fact, gold, articles)
            docs_per_fact.append(docs)
            if not docs:
                problems.append(f"{where}: fact {i} {fact} has no alternative verbatim in a gold article")
                continue
            gold_text = " ".join(loose(articles[d]) for d in gold)
            for alt in fact:
                if any(fold(alt) in fold(articles[d]) for d in gold) or loose(alt) in gold_text:
                    continue
                listed_used.add(alt)
                if alt not in LISTED_VARIANTS:
                    problems.append(
                        f"{where}: alternative {alt!r} is neither in a gold article nor a listed variant "
                        "(add it to LISTED_VARIANTS in eval/validate_sets.py with the reason)"
                    )
        if qtype == "multi-article":
            if len(set(gold)) < 2:
                problems.append(f"{where}: a multi-article question lists two or more gold articles")
            elif not _draws_on_two_articles(docs_per_fact):
                problems.append(f"{where}: its facts do not come from two different gold articles")
            for d in gold:
                if not any(d in docs for docs in docs_per_fact):
                    problems.append(f"{where}: gold article {d} holds none of the facts")
    stale = sorted(set(LISTED_VARIANTS) - listed_used)
    if stale and len(good) == len(rows):
        problems.append(f"{path.name}: LISTED_VARIANTS entries no question needs any more: {stale}")
    types = Counter(r["type"] for r in good)
    per_article = Counter(d for r in good if r["type"] == "answerable" for d in r["gold_docs"])
    minimums = [
        (len(good) >= 60, "at least 60 questions"),
        (types["answerable"] >= 32, "at least 32 answerable"),
        (all(per_article[d] >= 4 for d in articles), "at least 4 answerable per article"),
        (types["unanswerable"] >= 14, "at least 14 unanswerable"),
        (types["multi-article"] >= 8, "at least 8 multi-article"),
        (types["follow-up"] >= 8, "at least 8 follow-up"),
    ]
    problems += [f"{path.name}: needs {what}" for ok, what in minimums if not ok]
    _check_dev_share(path, good, problems)
    if readme is not None:
        problems += _check_readme_counts(readme, good, articles)
    return problems


def _draws_on_two_articles(docs_per_fact: list[set[str]]) -> bool:
    return any(a != b for i, x in enumerate(docs_per_fact) for y in docs_per_fact[i + 1 :] for a in x for b in y)


def _table(readme_text: str, header: str) -> list[list[str]]:
    """Rows (cells stripped of ` and *) of the markdown table whose header line starts with ``header``."""
    lines = readme_text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(header):
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip().strip("`*") for c in row.strip().strip("|").split("|")])
            return rows
    return []


def _check_readme_counts(readme: Path, rows: list[dict[str, Any]], articles: dict[str, str]) -> list[str]:
    text = readme.read_text(encoding="utf-8")
    problems = []
    split_table = _table(text, "| Type | dev | test | total |")
    want = {}
    for qtype in TYPES:
        c = Counter(r["split"] for r in rows if r["type"] == qtype)
        want[qtype] = [str(c["dev"]), str(c["test"]), str(c["dev"] + c["test"])]
    c = Counter(r["split"] for r in rows)
    want["total"] = [str(c["dev"]), str(c["test"]), str(len(rows))]
    got = {cells[0]: cells[1:] for cells in split_table}
    if got != want:
        problems.append(f"README.md split table says {got}, seed.jsonl has {want}")
    article_table = _table(text, "| Article | answerable |")
    want_a = {}
    for d in articles:
        c = Counter(r["type"] for r in rows if d in r["gold_docs"])
        want_a[d] = [str(c[t]) for t in TYPES] + [str(sum(c.values()))]
    got_a = {cells[0]: cells[1:] for cells in article_table}
    if got_a != want_a:
        problems.append(f"README.md counts-per-article table says {got_a}, seed.jsonl has {want_a}")
    return problems


def validate_pairs(path: Path, seed: Path) -> list[str]:
    problems: list[str] = []
    questions = {r.get("id"): r for r in read_jsonl(seed, problems)}
    pairs = read_jsonl(path, problems)
    seen: set[str] = set()
    for pair in pairs:
        where = f"{path.name}:{pair['_line']}"
        if [k for k in pair if k != "_line"] != ["pronoun_id", "spelled_id"]:
            problems.append(f"{where}: keys must be pronoun_id, spelled_id")
            continue
        p, s = questions.get(pair["pronoun_id"]), questions.get(pair["spelled_id"])
        if p is None or s is None:
            problems.append(f"{where}: {pair['pronoun_id']} or {pair['spelled_id']} is not in {seed.name}")
            continue
        seen |= {p["id"], s["id"]}
        for key in ("type", "history", "expected", "gold_docs", "split"):
            if p[key] != s[key]:
                problems.append(f"{where}: the two questions differ in {key}")
        if p["type"] != "follow-up":
            problems.append(f"{where}: a pronoun pair is two follow-up questions")
        for a, b in ((p, s), (s, p)):
            if not a["notes"].startswith(f"pronoun pair with {b['id']}"):
                problems.append(f"{where}: notes of {a['id']} must start 'pronoun pair with {b['id']}'")
        p_words = set(re.findall(r"[a-z]+", p["question"].casefold()))
        s_words = set(re.findall(r"[a-z]+", s["question"].casefold()))
        if not p_words & PRONOUNS:
            problems.append(f"{where}: {p['id']} does not refer back with a pronoun ({sorted(PRONOUNS)})")
        if s_words & REFERRING:
            problems.append(f"{where}: the spelled-out {s['id']} still uses {sorted(s_words & REFERRING)}")
    if len(pairs) < 10:
        problems.append(f"{path.name}: needs at least 10 pairs, has {len(pairs)}")
    for qid, row in questions.items():
        if str(row.get("notes", "")).startswith("pronoun pair with") and qid not in seen:
            problems.append(f"{seed.name}: {qid} says it is a pronoun pair but is not in {path.name}")
    return problems


def validate_multilingual(path: Path, articles: dict[str, str]) -> list[str]:
    problems: list[str] = []
    rows = read_jsonl(path, problems)
    good = [r for r in rows if _check_row_shape(path, r, ("answerable", "unanswerable"), problems)]
    _check_ids(path, rows, "ml-", 3, problems)
    languages: Counter[str] = Counter()
    for row in good:
        where, exp, gold = _where(path, row), row["expected"], row["gold_docs"]
        m = re.match(r"Language: ([a-z]{2})\. ", row["notes"])
        if not m or m.group(1) not in LANGUAGES:
            problems.append(f"{where}: notes must start 'Language: xx. ' with xx one of {sorted(LANGUAGES)}")
        else:
            languages[m.group(1)] += 1
        if row["history"]:
            problems.append(f"{where}: history must be empty")
        if row["type"] == "unanswerable":
            if exp or gold:
                problems.append(f"{where}: an unanswerable question has empty expected and gold_docs")
            continue
        if not exp or len(gold) != 1 or gold[0] not in articles:
            problems.append(f"{where}: an answerable question has expected facts and one seed article in gold_docs")
            continue
        for i, fact in enumerate(exp, 1):
            if not _fact_docs(fact, gold, articles):
                problems.append(f"{where}: fact {i} {fact} has no alternative verbatim in {gold[0]}")
    if len(good) < 24:
        problems.append(f"{path.name}: needs at least 24 questions, has {len(good)}")
    if sum(n >= 8 for n in languages.values()) < 3:
        problems.append(f"{path.name}: needs at least 3 languages with 8 questions each, has {dict(languages)}")
    if sum(r["type"] == "unanswerable" for r in good) < 3:
        problems.append(f"{path.name}: needs at least 3 unanswerable questions")
    _check_dev_share(path, good, problems)
    return problems


def validate_judgements(path: Path, articles: dict[str, str]) -> list[str]:
    problems: list[str] = []
    rows = read_jsonl(path, problems)
    folded = {name: fold(text) for name, text in articles.items()}
    for i, row in enumerate(rows, 1):
        where = _where(path, row)
        if tuple(k for k in row if k != "_line") != JUDGEMENT_KEYS:
            problems.append(f"{where}: keys must be {JUDGEMENT_KEYS} in that order")
            continue
        if row["id"] != f"cj-{i:02d}":
            problems.append(f"{where}: id should be cj-{i:02d}")
        if not all(isinstance(row[k], str) and row[k].strip() for k in JUDGEMENT_KEYS if k != "supported"):
            problems.append(f"{where}: every field but supported is a non-empty string")
            continue
        if not isinstance(row["supported"], bool):
            problems.append(f"{where}: supported must be true or false")
        if not re.search(r"\[\d+\]", row["sentence"]):
            problems.append(f"{where}: the sentence carries no citation marker like [1]")
        if row["doc_id"] not in folded:
            problems.append(f"{where}: doc_id {row['doc_id']} is not a seed article")
        elif fold(row["passage"]) not in folded[row["doc_id"]]:
            problems.append(f"{where}: passage is not verbatim in {row['doc_id']} (after whitespace folding)")
        if row["category"] not in JUDGEMENT_CATEGORIES:
            problems.append(f"{where}: unknown category {row['category']!r}")
        elif (row["category"] == "supported") != (row["supported"] is True):
            problems.append(f"{where}: category 'supported' is used exactly for supported rows")
    supported = sum(r.get("supported") is True for r in rows)
    if len(rows) < 80:
        problems.append(f"{path.name}: needs at least 80 rows, has {len(rows)}")
    elif not 0.4 <= supported / len(rows) <= 0.6:
        problems.append(f"{path.name}: {supported} of {len(rows)} supported; keep roughly half")
    return problems


def validate_all(root: Path) -> list[str]:
    """Every problem found in the sets under ``root`` (the repository root); [] when all hold."""
    articles = load_articles(root / "seeds")
    ev = root / "eval"
    return (
        validate_seed(ev / "seed.jsonl", articles, ev / "README.md")
        + validate_pairs(ev / "followup_pairs.jsonl", ev / "seed.jsonl")
        + validate_multilingual(ev / "multilingual.jsonl", articles)
        + validate_judgements(ev / "citation_judgements.jsonl", articles)
    )


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = validate_all(root)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("eval sets ok: seed.jsonl, followup_pairs.jsonl, multilingual.jsonl, citation_judgements.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
