"""The pipeline benchmark: the Zyte shingle scorer on hand-computed cases, the scorer against
the published table (when the shared data is present), and the script end to end on three
pages of our own in the Zyte layout."""

from __future__ import annotations

import contextlib
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks" / "pipeline"
ZYTE = REPO.parent / "shared/benchmarks/extraction/zyte-article-extraction-benchmark"
sys.path.insert(0, str(BENCH))

import pipeline_corpus  # noqa: E402
import zyte_metric as zm  # noqa: E402


# --------------------------------------------------------------------------------------------
# Scorer, on cases computed by hand
# --------------------------------------------------------------------------------------------
def test_tokens_are_unicode_words_and_case_sensitive():
    assert zm.tokenize("Привет, мир! l'été 2024") == ["Привет", "мир", "l", "été", "2024"]
    assert zm.item_counts("The cat sat down", "the cat sat down") == (0.0, 0.5, 0.5)


def test_one_shingle_differs_out_of_two():
    # truth shingles {a b c d, b c d e}; prediction {a b c d, b c d x}: TP=FP=FN=1
    assert zm.item_counts("a b c d e", "a b c d x") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    result = zm.score({"1": "a b c d e"}, {"1": "a b c d x"}, n_bootstrap=0)
    assert (result.precision, result.recall, result.f1, result.accuracy) == (0.5, 0.5, 0.5, 0.0)


def test_shingles_are_a_multiset():
    # "a b c d a b c d" has shingle "a b c d" twice; predicting it once finds 1 of 5
    tp, fp, fn = zm.item_counts("a b c d a b c d", "a b c d")
    assert (tp, fp, fn) == pytest.approx((0.2, 0.0, 0.8))


def test_short_texts_make_one_shorter_shingle():
    assert zm.shingles(["Hello", "world"]) == {"Hello world": 1}
    assert zm.item_counts("Hello world", "Hello world") == (1.0, 0.0, 0.0)
    assert zm.item_counts("Hello world", "Hello") == pytest.approx((0.0, 0.5, 0.5))


def test_missing_prediction_counts_for_recall_only():
    truth = {"a": "one two three four five", "b": "six seven eight nine ten"}
    result = zm.score(truth, {"a": "one two three four five", "b": None}, n_bootstrap=0)
    # item b has TP+FP = 0: left out of precision, recall 0
    assert result.precision == 1.0
    assert result.recall == 0.5
    assert result.f1 == pytest.approx(2 * 0.5 / 1.5)
    assert result.accuracy == 0.5


def test_bootstrap_spread_is_zero_only_when_items_agree():
    truth = {str(i): f"w{i} x y z q" for i in range(20)}
    same = zm.score(truth, truth, n_bootstrap=200)
    assert same.f1 == 1.0 and same.f1_std == 0.0
    half = {k: (v if int(k) % 2 else "nothing alike here at all") for k, v in truth.items()}
    mixed = zm.score(truth, half, n_bootstrap=200)
    assert 0.0 < mixed.accuracy_std < 0.5


@pytest.mark.skipif(not ZYTE.is_dir(), reason="shared Zyte benchmark data not present")
def test_scorer_reproduces_published_trafilatura_row():
    truth = zm.load_truth(ZYTE)
    result = zm.score(truth, zm.load_output(ZYTE / "output/trafilatura.json.gz"), n_bootstrap=0)
    assert round(result.f1, 3) == 0.958
    assert round(result.precision, 3) == 0.938
    assert round(result.recall, 3) == 0.978
    assert round(result.accuracy, 3) == 0.293


# --------------------------------------------------------------------------------------------
# The script, end to end on pages of our own
# --------------------------------------------------------------------------------------------
ARTICLES = {
    "harbour": (
        "en",
        "Harbour ferry returns after winter repairs",
        [
            "The small ferry that links the two halves of Millbrook harbour returned to "
            "service on Monday after four months in dry dock, the town council said.",
            "Engineers replaced the hull plates that had corroded near the waterline and "
            "fitted a quieter electric motor, which the council expects to halve fuel costs.",
            "Regular passengers said the crossing had been missed during the cold months, "
            "when the only alternative was a forty-minute walk around the inner basin.",
        ],
    ),
    "bibliothek": (
        "de",
        "Stadtbibliothek verlängert die Öffnungszeiten",
        [
            "Die Stadtbibliothek von Feldberg öffnet ab dem kommenden Monat auch am Sonntag, "
            "wie die Leiterin der Einrichtung am Dienstag mitteilte.",
            "Möglich werde das durch zwei zusätzliche Stellen, die der Gemeinderat im Herbst "
            "bewilligt habe, und durch ehrenamtliche Helferinnen aus dem Leseverein.",
            "Besonders Familien hätten sich längere Zeiten gewünscht, weil viele Kinder unter "
            "der Woche nachmittags Unterricht oder Training hätten.",
        ],
    ),
    "marche": (
        "fr",
        "Le marché couvert rouvre ses portes",
        [
            "Le marché couvert de Valbonne-sur-Loire a rouvert samedi après dix-huit mois de "
            "travaux, en présence de nombreux habitants venus dès l'aube.",
            "La toiture en verre a été entièrement refaite et les étals ont été déplacés pour "
            "laisser davantage de place aux producteurs de la région.",
            "Les commerçants espèrent retrouver leur clientèle d'avant les travaux, même si "
            "certains regrettent la hausse des loyers décidée par la mairie.",
        ],
    ),
}


def page_html(lang: str, title: str, paragraphs: list[str]) -> str:
    nav = "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in ("news", "sport", "weather"))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
        f"{body}</article></main><aside><h2>Most read</h2><ul><li><a href='/x'>Another story"
        "</a></li></ul></aside><footer><p>Copyright Example Local News. All rights reserved."
        "</p><a href='/privacy'>Privacy</a></footer></body></html>"
    )


@pytest.fixture
def zyte_layout(tmp_path: Path) -> Path:
    root = tmp_path / "mini-zyte"
    (root / "html").mkdir(parents=True)
    truth = {}
    for page_id, (lang, title, paragraphs) in ARTICLES.items():
        html = page_html(lang, title, paragraphs)
        (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[page_id] = {
            "articleBody": "\n".join(paragraphs),
            "url": f"https://news.example.org/{page_id}",
        }
    (root / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False))
    return root


def test_corpus_reads_zyte_layout_and_plain_directories(zyte_layout: Path, tmp_path: Path):
    corpus = pipeline_corpus.load_corpus(zyte_layout, limit=2)
    assert [p.page_id for p in corpus.pages] == ["bibliothek", "harbour"]
    assert corpus.pages[0].url == "https://news.example.org/bibliothek"
    assert corpus.pages[0].body.startswith(b"<!DOCTYPE html>")
    assert set(corpus.truth) == {"bibliothek", "harbour"}
    plain = pipeline_corpus.write_plain_html(corpus, tmp_path / "plain")
    again = pipeline_corpus.load_corpus(plain)
    assert again.truth is None
    assert [p.body for p in again.pages] == [p.body for p in corpus.pages]
    assert again.pages[0].url.startswith("file://")


def test_script_measures_stages_and_scores_our_pages(zyte_layout: Path, tmp_path: Path):
    out = tmp_path / "pipeline.json"
    cmd = [sys.executable, str(BENCH / "run.py"), "--pages", str(zyte_layout)]
    cmd += ["--reps", "1", "--heavy-reps", "1", "--warmup", "1", "--out", str(out)]
    cmd += ["--configs", "trafilatura-plain,stages,ingest-pool-cold"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=240)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(out.read_text())
    rows = {(r["config"], r["stage"]): r for r in report["stages"]}
    assert rows[("stages", "extract")]["pages"] == 3
    assert rows[("stages", "extract")]["failures"] == {}
    assert rows[("stages", "load")]["pages"] == 3  # all three articles reached the warehouse
    for key in (("stages", "extract"), ("stages", "language"), ("trafilatura-plain", "total")):
        assert rows[key]["pages_per_s"] > 0
    quality = report["quality"]
    # the bodies are plain paragraphs in an <article>: extraction must find (nearly) all of them
    assert quality["extract_page"]["items"] == 3
    assert quality["extract_page"]["recall"] > 0.9
    assert set(quality["differing_ids"]) <= set(ARTICLES)
    assert (
        report["configs"]["stages"]["maxrss_mb"]
        > report["configs"]["stages"]["maxrss_after_load_mb"]
        > 0
    )
    assert "decode+parse+extract (extract_page)" in proc.stdout
    # the pooled run: its workers (forked by the fork server, not our children) are measured
    pooled = report["configs"]["ingest-pool-cold"]
    assert pooled["summary"]["articles"] == 3
    assert pooled["process_tree"]["peak_processes"] >= 3  # us, the fork server, a worker
    assert pooled["process_tree"]["peak_pss_mb"] > pooled["maxrss_after_load_mb"]


# --------------------------------------------------------------------------------------------
# The user's command against trafilatura: the timed rounds do not read the tree's PSS
# --------------------------------------------------------------------------------------------
def test_the_timed_rounds_of_cli_vs_trafilatura_read_no_pss(tmp_path: Path, monkeypatch):
    """Reading ``smaps_rollup`` walks the page tables of the whole tree on the cores the run
    needs (benchmarks/README.md "Round 14 (mid14)"): a timed measure reads only ``stat``,
    the memory rounds the PSS, and the summary's peak comes from those."""
    import cli_vs_trafilatura as cvt
    import pipeline_workers

    opened: list[str] = []
    real_read_text = Path.read_text

    def read_text(self: Path, *args, **kwargs):
        opened.append(self.name)
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(pipeline_workers.Path, "read_text", read_text)
    cmd = [sys.executable, "-c", "import time; x = bytearray(20_000_000); time.sleep(0.5)"]
    timed = cvt.measure(cmd, {}, tmp_path, 0.05, memory=False)
    assert "peak_pss_mb" not in timed and timed["wall_s"] >= 0.5
    assert "stat" in opened and "smaps_rollup" not in opened
    with_memory = cvt.measure(cmd, {}, tmp_path, 0.05)
    assert with_memory["peak_pss_mb"] > 15 and "smaps_rollup" in opened

    summary = cvt.summarise({"spine": [timed, timed]}, 10, {"spine": [with_memory]})
    assert summary["spine"]["peak_pss_mb"] == with_memory["peak_pss_mb"]
    assert summary["spine"]["wall_s"] == timed["wall_s"]


def test_the_process_tree_is_read_from_the_tree_alone(tmp_path: Path, monkeypatch):
    """The samplers' tree (every 0.05-0.1 s, beside the run they measure): a grandchild forked
    by a thread of the child is found, and the machine's other processes are not read (no
    listing of ``/proc``)."""
    import os

    import pipeline_workers

    ready = tmp_path / "ready"
    script = (
        "import subprocess, sys, threading, time, pathlib\n"
        "procs = []\n"
        "t = threading.Thread(target=lambda: procs.append(subprocess.Popen("
        "[sys.executable, '-c', 'import time; time.sleep(30)'])))\n"
        "t.start(); t.join()\n"
        f"pathlib.Path({str(ready)!r}).write_text(str(procs[0].pid))\n"
        "time.sleep(30)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(200):
            if ready.exists() and ready.read_text():
                break
            import time

            time.sleep(0.05)
        grandchild = int(ready.read_text())
        listed: list[str] = []
        real_listdir = os.listdir

        def listdir(path="."):
            listed.append(str(path))
            return real_listdir(path)

        monkeypatch.setattr(pipeline_workers.os, "listdir", listdir)
        tree = pipeline_workers.process_tree(child.pid)
        assert tree[0] == child.pid and grandchild in tree
        assert "/proc" not in listed
    finally:
        child.kill()
        child.wait()
        with contextlib.suppress(ProcessLookupError):
            os.kill(grandchild, 9)


# --------------------------------------------------------------------------------------------
# The scale benchmark's host probe: the machine's speed beside a long run
# --------------------------------------------------------------------------------------------
def test_the_host_probe_times_its_loop_and_ends_with_its_block():
    import time

    import hostprobe

    with hostprobe.HostProbe(gap_s=0.05) as probe:
        deadline = time.monotonic() + 20  # a loaded machine starts the interpreter slowly
        while time.monotonic() < deadline and (
            not probe._file.exists() or len(probe._file.read_text().splitlines()) < 4
        ):
            time.sleep(0.05)
        pid = probe._proc.pid
    assert probe._proc.poll() is not None  # ended, and reaped, with the block
    assert not Path(f"/proc/{pid}").exists()
    assert len(probe.samples) >= 3
    assert all(ms > 0 for _t, ms in probe.samples)
    times = [t for t, _ms in probe.samples]
    assert times == sorted(times) and times[-1] - times[0] > 0.1
    assert hostprobe.host_ms(probe.samples, times[0], times[-1]) is not None
    assert hostprobe.host_ms(probe.samples, times[-1] + 1, times[-1] + 2) is None


def test_windows_on_a_steady_host_count_a_slow_host_window_at_the_probes_speed():
    """Three windows of 500 pages: the second took twice as long while the probe's loop took
    twice as long too (the host's), the third 25 % longer on a steady probe (the run's): the
    adjusted ratios keep the third's slowing and drop the second's."""
    import scale

    progress = [(0.0, 0), (10.0, 500), (30.0, 1000), (42.5, 1500)]
    probe = [(1.0, 4.0), (5.0, 4.0), (15.0, 8.0), (25.0, 8.0), (35.0, 4.0), (40.0, 4.0)]
    out = scale.window_rates(progress, None, 500, probe)
    assert [w["pages_per_s"] for w in out["windows"]] == pytest.approx([50, 25, 40])
    assert [w["host_ms"] for w in out["windows"]] == [4.0, 8.0, 4.0]
    assert out["slowest_window_vs_first"] == pytest.approx(0.5)
    assert out["host_ms_median"] == 4.0
    assert [w["pages_per_s_host_adjusted"] for w in out["windows"]] == pytest.approx([50, 50, 40])
    assert out["slowest_window_vs_first_host_adjusted"] == pytest.approx(0.8)
    assert out["last_window_vs_first_host_adjusted"] == pytest.approx(0.8)
    assert "host_cpu_correlation" not in out  # no CPU timeline given
    # the run's own process apart from its workers: its CPU at the windows' ends
    root = [(0.0, 0.0), (10.0, 5.0), (30.0, 15.0), (42.5, 20.0)]
    own = scale.window_rates(progress, None, 500, probe, root)
    assert [w["run_process_cpu_ms_per_page"] for w in own["windows"]] == pytest.approx([10, 20, 10])
    # without the probe: the ratios as before, nothing adjusted
    plain = scale.window_rates(progress, None, 500)
    assert "slowest_window_vs_first_host_adjusted" not in plain
    assert "host_ms" not in plain["windows"][0]


def test_same_pages_windows_tell_the_run_s_slowing_from_its_pages_costs():
    """A corpus of 1,000 pages repeated, windows of 500: its second half costs twice its
    first, so the plain windows alternate ×1 and ×0.5 of the first; against the same pages
    the first time, only the window that really ran slower (window 3, 25 % longer than pages
    500-1000 took) is under 1, and with a probe that took 25 % longer then too, not even it."""
    import scale

    ends = [10.0, 20.0, 10.0, 25.0, 10.0, 20.0]  # seconds each window of 500 took
    progress = [(0.0, 0)]
    for k, took in enumerate(ends):
        progress.append((progress[-1][0] + took, 500 * (k + 1)))
    plain = scale.window_rates(progress, None, 500)
    assert plain["slowest_window_vs_first"] == pytest.approx(0.4)
    out = scale.same_pages_rates(progress, 500, 1000)
    assert [r["window"] for r in out["same_pages"]] == [2, 3, 4, 5]  # 0, 1: the first time
    assert [r["first_pages"] for r in out["same_pages"]] == [0, 500, 0, 500]
    assert [r["vs_same_pages_early"] for r in out["same_pages"]] == pytest.approx([1, 0.8, 1, 1])
    assert out["slowest_vs_same_pages_early"] == pytest.approx(0.8)
    assert out["last_vs_same_pages_early"] == pytest.approx(1.0)
    assert "slowest_vs_same_pages_early_host_adjusted" not in out
    # the host's loop took 25 % longer in window 3 (seconds 40-65) than anywhere else
    probe = [(t, 5.0 if 40 < t < 65 else 4.0) for t in range(0, 95, 2)]
    adjusted = scale.same_pages_rates(progress, 500, 1000, probe)
    assert [
        r["vs_same_pages_early_host_adjusted"] for r in adjusted["same_pages"]
    ] == pytest.approx([1, 1, 1, 1])
    assert scale.same_pages_rates(progress[:2], 500, 1000) == {}
