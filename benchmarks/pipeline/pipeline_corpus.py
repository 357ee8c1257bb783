"""The pages a pipeline benchmark runs over, read once into memory.

Two layouts are understood:

* the Zyte benchmark (``html/<id>.html.gz`` plus ``ground-truth.json`` with the article body
  and the page's URL): pages get their real URL, and quality can be scored;
* any directory of ``.html`` / ``.htm`` / ``.html.gz`` files: pages get their ``file://`` URL
  and there is nothing to score against.

Bodies are kept as raw bytes (decompressed), because decoding is part of what we measure.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import zyte_metric

HTML_NAMES = (".html", ".htm", ".html.gz", ".htm.gz")


@dataclass(frozen=True)
class Page:
    page_id: str
    url: str
    body: bytes


@dataclass(frozen=True)
class Corpus:
    pages: list[Page]
    #: page id -> ground-truth article body, when the directory has one (Zyte layout)
    truth: dict[str, str] | None

    @property
    def total_bytes(self) -> int:
        return sum(len(p.body) for p in self.pages)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _page_id(path: Path) -> str:
    name = path.name
    for suffix in HTML_NAMES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def is_zyte_layout(directory: Path) -> bool:
    return (directory / "ground-truth.json").is_file() and (directory / "html").is_dir()


def load_corpus(directory: Path, limit: int | None = None) -> Corpus:
    """Pages sorted by id (so ``--limit N`` always picks the same N pages)."""
    if is_zyte_layout(directory):
        truth = zyte_metric.load_truth(directory)
        urls = zyte_metric.load_urls(directory)
        ids = sorted(truth)[:limit] if limit else sorted(truth)
        pages = [Page(i, urls.get(i, ""), _read(directory / "html" / f"{i}.html.gz")) for i in ids]
        return Corpus(pages, {i: truth[i] for i in ids})
    files = sorted(
        p for p in directory.rglob("*") if p.is_file() and p.name.lower().endswith(HTML_NAMES)
    )
    if limit:
        files = files[:limit]
    pages = [Page(_page_id(p), p.resolve().as_uri(), _read(p)) for p in files]
    return Corpus(pages, None)


def write_plain_html(corpus: Corpus, directory: Path) -> Path:
    """Decompressed copies as ``<id>.html``, a local source ``run_ingest`` can read."""
    directory.mkdir(parents=True, exist_ok=True)
    for page in corpus.pages:
        (directory / f"{page.page_id}.html").write_bytes(page.body)
    return directory
