"""Local sources that try to reach past what the user named, through the real ingest path
into a real DuckDB file (helpers from ``test_hostile_sources``).

* A directory the user names is read only inside itself: a symlink whose real path is outside
  it (to a file, to a directory, at any depth, to a device) is refused and recorded, and so is
  a FIFO (never opened: opening one blocks); the rest of the directory is ingested.
* A text file inside a local mirror, reached through the mirror's sitemap index, is not a URL
  list the user named: its URLs are checked by the URL policy like any sitemap's, so a private
  address it names is refused and recorded, never fetched.
* Files found in a named directory or a mirror are checked again on the open file when their
  batch reads them: one swapped after the expansion is refused then, not read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from siteserver import SiteServer, _article_html
from test_hostile_sources import (
    SECRET,
    _index,
    _urlset,
    article_urls,
    refusals,
    rows,
    settings_for,
)

from newsetl.downloads import Fetcher
from newsetl.ingest import run_ingest
from newsetl.sources import expand_sources


@pytest.fixture(scope="module")
def other():
    """A service on loopback that no user named: it must never see a request."""
    with SiteServer() as server:
        yield server


@pytest.fixture
def secret(tmp_path) -> Path:
    """A directory beside the named one, with a page that must never be read."""
    folder = tmp_path / "secret"
    (folder / "nested").mkdir(parents=True)
    (folder / "secret.html").write_text(_article_html(SECRET), encoding="utf-8")
    (folder / "nested" / "deep.html").write_text(_article_html(SECRET), encoding="utf-8")
    return folder


@pytest.mark.timeout(60)  # a FIFO opened would block the run
def test_a_named_directory_is_read_only_inside_itself(secret, tmp_path):
    (tmp_path / "dirsrc" / "sub" / "deeper").mkdir(parents=True)
    named = (tmp_path / "dirsrc").resolve()  # refusals name the entry under its real directory
    (named / "story.html").write_text(_article_html("Story of the named directory"), "utf-8")
    (named / "sub" / "inside.html").symlink_to(named / "story.html")  # stays inside: followed
    escapes = {
        named / "evil.html": Path("../secret/secret.html"),
        named / "sub" / "deeper" / "far.html": secret / "secret.html",
        named / "sub" / "outdir": secret,  # a directory outside
        named / "zero.html": Path("/dev/zero"),
    }
    for link, target in escapes.items():
        link.symlink_to(target)
    os.mkfifo(named / "pipe.html")
    settings = settings_for(tmp_path)
    summary = run_ingest([str(named)], settings)
    texts = rows(settings, "SELECT title, text FROM articles")
    assert not [t for t in texts if SECRET in (t[0] or "") or SECRET in t[1]]
    assert not rows(settings, "SELECT url FROM pages WHERE url LIKE ?", f"{secret.as_uri()}%")
    assert article_urls(settings) == {(named / "story.html").as_uri()}
    assert summary.status == "partial"
    refused = refusals(settings)
    for link in escapes:
        assert "outside the named directory" in refused[link.as_uri()], refused
    assert "not a regular file" in refused[(named / "pipe.html").as_uri()], refused
    assert len(refused) == len(escapes) + 1, refused
    # the refusals are not among the run's pages (the summary said "5 of 1 pages failed")
    assert summary.failed_text() == (
        "0 of 1 pages failed (failed or refused sources and URLs apart: 5)"
    )


def test_a_url_list_inside_a_mirror_grants_no_trust(other, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "news").mkdir(parents=True)
    (mirror / "news" / "story.html").write_text(_article_html("Mirrored story"), "utf-8")
    escalated = f"http://127.0.0.1:{other.port}/escalated"
    direct = f"http://127.0.0.1:{other.port}/direct"
    (mirror / "list.txt").write_text(f"{escalated}\n", "utf-8")
    (mirror / "pages.xml").write_text(
        _urlset(["https://news.invalid/news/story.html", direct]), "utf-8"
    )
    (mirror / "sitemap.xml").write_text(
        _index(["https://news.invalid/list.txt", "https://news.invalid/pages.xml"]), "utf-8"
    )
    other.reset()
    settings = settings_for(tmp_path, max_attempts=1, connect_timeout_s=0.5)
    run_ingest([str(mirror / "sitemap.xml")], settings)
    assert other.requests == []
    titles = [t for (t,) in rows(settings, "SELECT title FROM articles")]
    assert titles == ["Mirrored story"]
    refused = refusals(settings)
    for url in (escalated, direct):
        assert "not a public address" in refused[url], refused


@pytest.mark.timeout(60)  # a FIFO opened would block
@pytest.mark.parametrize("swap", ["outside symlink", "fifo", "directory symlink"])
def test_a_file_swapped_after_expansion_is_checked_again_when_read(secret, tmp_path, swap):
    """A directory's files are checked when the sources are expanded and read later, with
    their batch: a file swapped in between (for a symlink out of the named directory, a FIFO,
    or a parent directory swapped for a link outside) is refused when read, not read."""
    named = (tmp_path / "dirsrc").resolve()
    (named / "sub").mkdir(parents=True)
    page = named / "sub" / "story.html"
    page.write_text(_article_html("Story of the named directory"), "utf-8")
    (named / "kept.html").write_text(_article_html("Another story"), "utf-8")
    with Fetcher(settings_for(tmp_path)) as fetcher:
        expansion = expand_sources([str(named)], fetcher)
    targets = {t.url: t for t in expansion.targets}
    assert set(targets) == {page.as_uri(), (named / "kept.html").as_uri()}
    if swap == "outside symlink":
        page.unlink()
        page.symlink_to(secret / "secret.html")
    elif swap == "fifo":
        page.unlink()
        os.mkfifo(page)
    else:
        (named / "sub").rename(named / "was-sub")
        (named / "sub").symlink_to(secret)
        (secret / "story.html").write_text(_article_html(SECRET), "utf-8")
    result = targets[page.as_uri()].at_hand()
    assert result is not None and result.body is None and not result.ok
    if swap == "fifo":
        assert result.error_kind == "io" and "not a regular file" in (result.error or "")
    else:
        assert result.error_kind == "url_policy"
        assert "outside the named directory" in (result.error or "")
    kept = targets[(named / "kept.html").as_uri()].at_hand()
    assert kept is not None and kept.ok and kept.body


def test_a_mirror_file_swapped_for_an_outside_symlink_is_not_read(secret, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "news").mkdir(parents=True)
    story = mirror / "news" / "story.html"
    story.write_text(_article_html("Mirrored story"), "utf-8")
    sitemap = mirror / "sitemap.xml"
    sitemap.write_text(_urlset(["https://news.example/news/story.html"]), "utf-8")
    with Fetcher(settings_for(tmp_path)) as fetcher:
        expansion = expand_sources([str(sitemap)], fetcher)
    [target] = expansion.targets
    assert target.url == "https://news.example/news/story.html" and target.local is not None
    story.unlink()
    story.symlink_to(secret / "secret.html")
    result = target.at_hand()
    assert result is not None and not result.ok and result.error_kind == "url_policy"
