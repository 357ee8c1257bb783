"""justext's stoplists for trafilatura's fallback, from the disk cache (``newsetl.stoplists``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura.external as external

from newsetl.stoplists import warm_stoplist


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("NEWSETL_CACHE_DIR", str(directory))
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    return directory


def test_the_cached_stoplists_are_the_words_trafilatura_builds(cache: Path) -> None:
    warm_stoplist()  # built by trafilatura's own function, and written
    (path,) = cache.glob("justext_stoplists-*.pickle")
    built = external.JT_STOPLIST
    external.JT_STOPLIST = None
    warm_stoplist()  # read back
    loaded = external.JT_STOPLIST
    assert isinstance(loaded, tuple) and loaded is not built
    assert len(loaded) == len(built) > 100_000
    assert set(loaded) == set(external.jt_stoplist_init())
    path.unlink()  # a missing file: built again, not an error
    external.JT_STOPLIST = None
    warm_stoplist()
    assert set(external.JT_STOPLIST) == set(loaded)


def test_a_page_trafilatura_gives_to_justext_is_extracted_the_same(cache: Path) -> None:
    """The justext fallback of a page without a known language, with trafilatura's own
    stoplists and with those read from the cache: the same text."""
    from lxml.html import fromstring

    sentence = (
        "The council said that it would not be able to open the new bridge over the river"
        " before the end of the year, because the work on it had been stopped for months. "
    )
    paragraphs = "".join(f"<p>{i}. {sentence * 3}</p>" for i in range(8))
    html = f"<html><body><div>{paragraphs}</div><div><a href='/'>Home</a></div></body></html>"
    external.JT_STOPLIST = None
    own = external.try_justext(fromstring(html), None, None)
    warm_stoplist()
    warm_stoplist()  # the second one from the file
    assert external.JT_STOPLIST is not None
    cached = external.try_justext(fromstring(html), None, None)
    assert [p.text for p in own] == [p.text for p in cached]
    assert len(list(own)) >= 4
