"""The read copy brought up to date in place (newsetl.filesync, Settings.read_copy_in_place):
the same copy, written only where the warehouse changed, never under a reader."""

from __future__ import annotations

import filecmp
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from newsetl import filesync
from newsetl.filesync import WRITE_CHUNK, claim_unread, update_in_place
from newsetl.readcopy import refresh_read_copy, spare_path
from newsetl.settings import Settings
from newsetl.warehouse import open_warehouse, transaction


def add_articles(settings: Settings, start: int, n: int) -> None:
    con = open_warehouse(settings)
    try:
        with transaction(con):
            con.execute(
                "INSERT INTO articles (article_id, url, text) "
                "SELECT md5(i::VARCHAR), 'https://example.org/' || i, repeat('word ', 400) || i "
                "FROM range(?, ?) r(i)",
                [start, start + n],
            )
    finally:
        con.close()


def articles(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(db_path=tmp_path / "w.duckdb", translator="none")
    add_articles(settings, 0, 3000)
    return settings


def test_each_refresh_publishes_the_live_file_reusing_the_copy_before_last(settings):
    refresh_read_copy(settings)
    first = settings.read_copy.stat().st_ino
    # nothing was published before: the first publish keeps a second copy as the spare, so
    # the second refresh does not copy the whole warehouse again
    made = spare_path(settings.read_copy).stat().st_ino
    assert made != first
    assert filecmp.cmp(settings.read_copy, spare_path(settings.read_copy), shallow=False)
    add_articles(settings, 3000, 25)
    refresh_read_copy(settings)
    assert settings.read_copy.stat().st_ino == made  # the spare, brought up to date
    assert articles(settings.read_copy) == 3025
    assert spare_path(settings.read_copy).stat().st_ino == first  # kept for the next refresh
    add_articles(settings, 3025, 25)
    refresh_read_copy(settings)
    # the third copy is the first file brought up to date, not a new one
    assert settings.read_copy.stat().st_ino == first
    assert filecmp.cmp(settings.db_path, settings.read_copy, shallow=False)
    assert articles(settings.read_copy) == 3050
    assert not list(settings.read_copy.parent.glob(".*.tmp"))


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("SELECT count(*) FROM articles").fetchone()[0], flush=True)
    """
)


def test_a_copy_someone_still_reads_is_never_changed(settings):
    refresh_read_copy(settings)
    first = settings.read_copy.stat().st_ino
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.read_copy)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(reader.stdout.readline()) == 3000  # holds the first copy
        for start in (3000, 3025):
            add_articles(settings, start, 25)
            refresh_read_copy(settings)  # the second would reuse the first: it is read
        assert settings.read_copy.stat().st_ino != first
        assert articles(settings.read_copy) == 3050
        assert filecmp.cmp(settings.db_path, settings.read_copy, shallow=False)
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == 3000  # its snapshot never changed under it
        assert reader.wait(timeout=30) == 0
    finally:
        if reader.poll() is None:
            reader.kill()


def test_a_copy_read_in_this_process_is_not_claimed(settings, tmp_path):
    refresh_read_copy(settings)
    with duckdb.connect(str(settings.read_copy), read_only=True):
        assert claim_unread(settings.read_copy) is None
    fd = claim_unread(settings.read_copy)
    assert fd is not None
    os.close(fd)


def test_without_the_setting_every_refresh_copies_and_no_spare_is_kept(settings):
    refresh_read_copy(settings)
    refresh_read_copy(settings)
    assert spare_path(settings.read_copy).exists()
    plain = settings.replace(read_copy_in_place=False)
    add_articles(plain, 3000, 25)
    refresh_read_copy(plain)
    assert not spare_path(plain.read_copy).exists()
    assert articles(plain.read_copy) == 3025


def test_update_in_place_writes_only_the_chunks_that_differ(tmp_path):
    old = bytes(range(256)) * (WRITE_CHUNK // 256) * 40  # 40 chunks
    new = bytearray(old)
    new[5 * WRITE_CHUNK + 7] ^= 1  # one byte in chunk 5
    new[30 * WRITE_CHUNK : 31 * WRITE_CHUNK + 3] = b"x" * (WRITE_CHUNK + 3)  # chunks 30, 31
    new += b"tail" * 100  # grown: a 41st chunk
    source, copy = tmp_path / "source", tmp_path / "copy"
    source.write_bytes(bytes(new))
    copy.write_bytes(old)
    fd = os.open(copy, os.O_RDWR)
    try:
        assert update_in_place(source, fd) == 3 * WRITE_CHUNK + 400
    finally:
        os.close(fd)
    assert copy.read_bytes() == bytes(new)
    source.write_bytes(old[: 2 * WRITE_CHUNK])  # shrunk
    fd = os.open(copy, os.O_RDWR)
    try:
        assert update_in_place(source, fd) == 0
    finally:
        os.close(fd)
    assert copy.read_bytes() == old[: 2 * WRITE_CHUNK]


@pytest.mark.parametrize("mapped", [True, False], ids=["mapped", "read"])
@pytest.mark.parametrize("seed", range(4))
def test_update_in_place_matches_a_chunk_by_chunk_comparison(tmp_path, monkeypatch, mapped, seed):
    """Random files and changes, several comparison windows, the copy shorter, longer or as
    long: the copy ends equal to the source, and the bytes written are those of the chunks
    that differ plus what the copy lacked. Both ways: the files mapped and compared in place
    (where the C library's ``memcmp`` can be called: here, always), and read (elsewhere)."""
    rng = random.Random(seed)
    monkeypatch.setattr(filesync, "WINDOW", 4 * WRITE_CHUNK)
    if mapped:
        assert filesync._memcmp() is not None
    else:
        monkeypatch.setattr(filesync, "_memcmp", lambda: None)
    size = rng.randrange(1, 23 * WRITE_CHUNK)
    old = rng.randbytes(size)
    new = bytearray(old)
    for _ in range(rng.randrange(0, 6)):  # a few runs of changed bytes, anywhere
        at = rng.randrange(size)
        run = rng.randbytes(min(rng.randrange(1, 3 * WRITE_CHUNK), size - at))
        new[at : at + len(run)] = run
    new += rng.randbytes(rng.choice([0, 0, 5, WRITE_CHUNK + 1]))  # grown, or not
    if rng.random() < 0.3:
        new = new[: rng.randrange(1, len(new) + 1)]  # shrunk
    common = min(len(old), len(new))
    expected = sum(
        len(new[start : min(start + WRITE_CHUNK, common)])
        for start in range(0, common, WRITE_CHUNK)
        if new[start : min(start + WRITE_CHUNK, common)]
        != old[start : min(start + WRITE_CHUNK, common)]
    ) + max(0, len(new) - len(old))
    source, copy = tmp_path / "source", tmp_path / "copy"
    source.write_bytes(bytes(new))
    copy.write_bytes(old)
    fd = os.open(copy, os.O_RDWR)
    try:
        written = update_in_place(source, fd)
    finally:
        os.close(fd)
    assert copy.read_bytes() == bytes(new)
    # read, a chunk the copy ends inside is written whole
    assert written == expected if mapped else expected <= written < expected + WRITE_CHUNK


def test_an_in_place_refresh_builds_the_search_index_from_the_copy(settings):
    """Maintenance's refresh builds the index from the copy before publishing it: the copy
    made in place must be free of its lock by then (DuckDB's own lock would be refused)."""
    for start in (3000, 3025, 3050):
        refresh_read_copy(settings, search_index=True)
        add_articles(settings, start, 25)
    first = settings.read_copy.stat().st_ino
    refresh_read_copy(settings, search_index=True)
    refresh_read_copy(settings, search_index=True)
    assert settings.read_copy.stat().st_ino == first  # made in place
    assert settings.search_index.exists()
    assert articles(settings.read_copy) == 3075


MEASURE_RSS = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from newsetl.filesync import update_in_place

    def peak_kb():  # this process's own peak RSS (ru_maxrss starts from its parent's)
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

    before = peak_kb()
    fd = os.open(sys.argv[2], os.O_RDWR)
    written = update_in_place(Path(sys.argv[1]), fd)
    os.close(fd)
    print(written, (peak_kb() - before) // 1024)
    """
)


def test_comparing_mapped_files_keeps_a_window_or_two_resident(tmp_path):
    """Comparing two files mapped whole made every page read resident in the process (its
    RSS and PSS grew by both files: up to 4 GB at the end of a run into a 50,000-page
    warehouse). Each window's pages are dropped once compared: two 96 MB files (the copy
    36 MB shorter, so the tail is written from the mapping too) raise the peak RSS of a
    fresh process by a few windows, not by the files."""
    block = bytes(range(256)) * 4096  # 1 MiB
    source, copy = tmp_path / "source", tmp_path / "copy"
    source.write_bytes(block * 96)
    copy.write_bytes(block * 60)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE_RSS, str(source), str(copy)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    written, grown_mb = int(out[0]), int(out[1])
    assert written == 36 << 20 and filecmp.cmp(source, copy, shallow=False)
    assert grown_mb < 48, f"the process grew by {grown_mb} MB comparing 96 MB files"
