"""How much page boilerplate reaches the index, and how much of the article does: old loader vs new.

For each ``eval/pages/NAME.html`` with its true article in ``NAME.article.txt``
(headline and paragraphs), both loaders read the page and their text is compared as
bags of lowercase words (``\\w+``):

- article kept = article words found in the title and text / article words
  (multiset intersection; target ≥ 98 %);
- boilerplate kept = text words beyond the article's / boilerplate words on the page,
  where the page's words are all the text in its ``<body>`` (scripts and styles aside,
  hidden elements included) and boilerplate is the page's words minus the article's
  (target ≤ 2 %).

One table and total per set: the tuning pages (``eval/pages/*.html``, which the
extraction rules were fitted on) and three held-out sets (``eval/pages/heldout*/``),
each written and measured before the round of changes it was blind to; a held-out
set's first total after that round is the one the targets are judged on
(eval/RESULTS.md). The old loader
is the hand-written HTML parser of commit c85d4fb, read from git history
(``git show c85d4fb:rag/loading.py``). Run from the repo root (``-v`` prints each page's
leaked and missed words):

    PYTHONPATH=. python eval/measure_boilerplate.py [-v]
"""

from __future__ import annotations

import re
import subprocess
import sys
import types
from collections import Counter
from pathlib import Path

import lxml.html

from rag.loading import load_document

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
SETS = {
    "tuning": PAGES,
    "held-out 1": PAGES / "heldout",
    "held-out 2": PAGES / "heldout2",
    "held-out 3": PAGES / "heldout3",
}


OLD_LOADER = "c85d4fb:rag/loading.py"  # the hand-written parsers, before trafilatura


def _old_loader():  # type: ignore[no-untyped-def]
    source = subprocess.run(["git", "show", OLD_LOADER], cwd=HERE, capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("old_loading")
    exec(compile(source, OLD_LOADER, "exec"), module.__dict__)  # noqa: S102 - our own code, from git history
    return module.load_document


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def page_words(path: Path) -> Counter[str]:
    tree = lxml.html.document_fromstring(path.read_bytes())
    for el in tree.xpath("//script | //style | //head"):
        el.drop_tree()
    return words(" ".join(tree.itertext()))


def measure(title: str, text: str, article: Counter[str]) -> tuple[int, int]:
    got = words(text)
    if title.strip() not in {line.strip() for line in text.split("\n")}:  # not already a line of the text
        got += words(title)
    return sum((got & article).values()), sum((got - article).values())


def measure_set(
    folder: Path, *, verbose: bool = False, old: bool = True
) -> list[tuple[str, int, int, float, float, float, float]]:
    """One row per page of ``folder`` (name, article words, boilerplate words, old/new article and boilerplate kept), then a total row."""
    old_load = _old_loader() if old else None
    rows = []
    totals = {"article": 0, "boiler": 0, "old_a": 0, "old_b": 0, "new_a": 0, "new_b": 0}
    for page in sorted(folder.glob("*.html")):
        article = words(page.with_suffix(".article.txt").read_text(encoding="utf-8"))
        boilerplate = page_words(page) - article
        new = load_document(page)
        # The title reaches the index too: it is embedded with every chunk of its document.
        if old_load is not None:
            prev = old_load(page)
            old_a, old_b = measure(prev.title, prev.text, article)
        else:
            old_a = old_b = 0
        new_a, new_b = measure(new.title, new.text, article)
        n_a, n_b = sum(article.values()), sum(boilerplate.values())
        for key, value in zip(totals, (n_a, n_b, old_a, old_b, new_a, new_b), strict=True):
            totals[key] += value
        if verbose:
            lines = {line.strip() for line in new.text.split("\n")}
            got = words(new.text) + (Counter() if new.title.strip() in lines else words(new.title))
            print(page.stem, "leaked:", sorted(got - article), file=sys.stderr)
            print(page.stem, "missed:", sorted(article - got), file=sys.stderr)
        rows.append((page.stem, n_a, n_b, old_a / n_a, old_b / n_b, new_a / n_a, new_b / n_b))
    t = totals
    rows.append(
        (
            "**total**",
            t["article"],
            t["boiler"],
            t["old_a"] / t["article"],
            t["old_b"] / t["boiler"],
            t["new_a"] / t["article"],
            t["new_b"] / t["boiler"],
        )
    )
    return rows


def main() -> int:
    header = "| page | article words | boilerplate words | old: article kept | old: boilerplate kept | new: article kept | new: boilerplate kept |"
    for label, folder in SETS.items():
        print(f"\n{label} ({folder.relative_to(HERE.parent)}):\n")
        print(header)
        print("|" + "---|" * 7)
        for name, n_a, n_b, oa, ob, na, nb in measure_set(folder, verbose="-v" in sys.argv):
            print(f"| {name} | {n_a} | {n_b} | {oa:.1%} | {ob:.1%} | {na:.1%} | {nb:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
