from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.loading import collect_paths, decode_bytes, load_document, load_documents, parse_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_seed_metadata() -> None:
    docs, skipped = load_documents([SEEDS])
    assert skipped == []
    by_id = {d.doc_id: d for d in docs}
    assert sorted(by_id) == sorted(p.name for p in SEEDS.iterdir())
    first = by_id["000_03ce8f0b4e197bba.txt"]
    assert first.url.startswith("https://www.forbes.com/sites/marktemnycky/2025/11/15/")
    assert first.date == "2025-11-15"
    assert first.title.lower().startswith("eu and ukraine deepen defense ties")
    assert (
        by_id["003_bdfe6df497ee2b67.txt"].title
        == "EU Training Mission for Ukraine: EU, US, and Russia in a Security Play"
    )
    assert by_id["002_ded4a86885e97be2.txt"].date == ""  # no date in the text: none invented
    assert all(d.content_hash and len(d.content_hash) == 64 for d in docs)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Café €16 million".encode("cp1252"), "Café €16 million"),
        ("Café €16 million".encode("utf-16"), "Café €16 million"),  # with BOM
        ("Café report".encode("utf-16-le"), "Café report"),  # no BOM
        ("\ufeffBOM text".encode(), "BOM text"),
        (b"plain ascii", "plain ascii"),
    ],
)
def test_decode_bytes(data: bytes, expected: str) -> None:
    assert decode_bytes(data) == expected


def test_binary_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "image.txt"
    f.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(DocumentError, match="binary"):
        load_document(f)


@pytest.mark.parametrize("content", [b"", b"   \n\t\n"])
def test_empty_files_are_refused(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(DocumentError, match="empty"):
        load_document(f)


def test_html_drops_script_and_keeps_metadata(tmp_path: Path) -> None:
    f = tmp_path / "story.html"
    f.write_text(
        "<html><head><title>Page title</title><meta property='og:url' content='https://ex.com/2024/03/05/story'>"
        "<script>alert('x')</script><style>p{}</style></head><body><h1>Real headline</h1>"
        "<p>First paragraph &amp; more.</p><script>document.write('evil')</script><p>Second.</p></body></html>"
    )
    doc = load_document(f)
    assert doc.title == "Real headline"
    assert doc.url == "https://ex.com/2024/03/05/story"
    assert doc.date == "2024-03-05"
    assert "alert" not in doc.text and "evil" not in doc.text and "p{}" not in doc.text
    assert "First paragraph & more." in doc.text and "Second." in doc.text


def test_markdown_title_and_links() -> None:
    doc = parse_document(
        "# The headline\n\nSee [the report](https://ex.com/r) ![chart](https://ex.com/c.png).\n",
        doc_id="a.md",
        suffix=".md",
    )
    assert doc.title == "The headline"
    assert "the report" in doc.text and "https://" not in doc.text


def test_date_line_and_text_dates() -> None:
    doc = parse_document("Headline here\nPublished: March 12, 2025\nBody text.", doc_id="x.txt")
    assert doc.date == "2025-03-12"


def test_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        collect_paths([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(DocumentError, match=r"No \.txt"):
        collect_paths([tmp_path / "empty"])


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A headline\nSome real news text here.")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "ignored.docx").write_bytes(b"PK\x03\x04")
    docs, skipped = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["good.txt"]
    assert len(skipped) == 1 and skipped[0][0].endswith("bad.txt")


def test_a_missing_path_among_others_is_one_skip(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Harbour fees rise\n\nThe port raised its fees by 4 percent on Monday.")
    docs, skipped = load_documents([good, tmp_path / "missing.txt"])
    assert [d.doc_id for d in docs] == ["good.txt"]
    assert skipped == [(str(tmp_path / "missing.txt"), f"Path {tmp_path / 'missing.txt'} does not exist.")]
    with pytest.raises(DocumentError, match="does not exist"):  # nothing else given: an error, as before
        load_documents([tmp_path / "missing.txt"])
