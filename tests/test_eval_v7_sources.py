"""Eval set version 7's sources: the fetch script on a real git repository, and the builder's
rules for turning WMT documents and UD sentences into carriers and span sources."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "artefacts"))

import eval_build
import get_news_v7

CONLLU = """# newdoc id = GUM_news_test
# newpar
# sent_id = s-1
# text = Storm hits coast
1\tStorm\tstorm\tNOUN\t_\t_\t0\troot\t_\t_
# sent_id = s-2
# text = Klaus Berger sagte, dass der Sturm die Küste am Morgen schwer getroffen habe.
1\tKlaus\tKlaus\tPROPN\t_\t_\t0\troot\t_\t_
2\tBerger\tBerger\tPROPN\t_\t_\t1\tflat\t_\t_
3-4\tam\t_\t_\t_\t_\t_\t_\t_\t_
# sent_id = s-3
# text = Die Behörden haben alle Bewohner der Region aufgefordert, ihre Häuser nicht zu verlassen.
1\tDie\tder\tDET\t_\t_\t0\troot\t_\t_
"""

XML = """<?xml version='1.0' encoding='utf-8'?>
<dataset id="t"><collection id="general">
<doc origlang="en" id="d1" domain="news"><src lang="en"><p>
<seg id="1">Headline of the story</seg>
<seg id="2">The council voted on Tuesday to close the old bridge to all traffic for repairs.</seg>
<seg id="3">Engineers said the work would take at least six months and cost millions.</seg>
<seg id="4">What residents said</seg>
<seg id="5">Several shop owners on the high street said they feared losing customers.</seg>
<seg id="6">A baker who has run her business for twenty years said the closure came at a bad time.</seg>
</p></src><ref lang="de"><p><seg id="1">x</seg></p></ref></doc>
<doc origlang="en" id="d2" domain="social"><src lang="en"><p><seg id="1">hi</seg></p></src></doc>
</collection></dataset>
"""


def _git_repo(root: Path, name: str, files: dict[str, str]) -> Path:
    repo = root / name
    repo.mkdir(parents=True)
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "HOME": str(root)}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "data"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return repo


def test_fetch_reads_ud_text_with_names_and_wmt_source_side(tmp_path: Path) -> None:
    _git_repo(tmp_path, "UniversalDependencies+UD_X", {"x-ud-test.conllu": CONLLU})
    _git_repo(tmp_path, "wmt-conference+wmt9", {"xml/t.en-de.all.xml": XML})
    ud = get_news_v7.Mirror(tmp_path, "UniversalDependencies/UD_X")
    rows = get_news_v7.ud_sentences(ud, "UD_X", "de")
    assert [r["sent_id"] for r in rows] == ["s-1", "s-2", "s-3"]
    assert rows[1]["propn"] == ["Klaus", "Berger"] and rows[2]["propn"] == []
    assert {r["doc"] for r in rows} == {"GUM_news_test"}
    wmt = get_news_v7.Mirror(tmp_path, "wmt-conference/wmt9")
    docs = get_news_v7.wmt_xml_docs(wmt, "xml/t.en-de.all.xml")
    assert [(d["doc"], d["domain"], d["lang"]) for d in docs] == [
        ("d1", "news", "en"),
        ("d2", "social", "en"),
    ]
    assert docs[0]["paragraphs"][0][1].startswith("The council")  # source side, not the ref


def test_wmt_carriers_leave_out_headlines_and_other_domains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git_repo(tmp_path, "wmt-conference+wmt9", {"xml/t.en-de.all.xml": XML})
    docs = get_news_v7.wmt_xml_docs(
        get_news_v7.Mirror(tmp_path, "wmt-conference/wmt9"), "xml/t.en-de.all.xml"
    )
    with gzip.open(tmp_path / "wmt-docs.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(d) + "\n" for d in docs)
    monkeypatch.setattr(eval_build, "NEWS_V7", tmp_path)
    paras = [p for _, p in eval_build.wmt_v7_paragraphs("en")]
    # Segments 2 and 3 form one paragraph, 5 and 6 another; the headline and the subheading
    # "What residents said" are never glued to a sentence (they would read as a missing full
    # stop before a capital).
    assert len(paras) == 2
    assert paras[0].startswith("The council") and paras[0].endswith("cost millions.")
    assert paras[1].startswith("Several shop owners")


def test_ud_carriers_end_runs_at_headlines_and_keep_only_gum_news() -> None:
    rows = [
        {"treebank": "UD_Y", "file": "f", "sent_id": f"s{i}", "doc": "d", "par": None, "text": t}
        for i, t in enumerate(
            [
                "Sturm trifft Küste",
                "Die Behörden haben alle Bewohner der Region aufgefordert, zu Hause zu bleiben.",
                "Der Wetterdienst rechnet mit Windgeschwindigkeiten von mehr als hundert Kilometern.",
                "und danach auch",
                "Die Schulen in den betroffenen Gemeinden bleiben am Montag und Dienstag geschlossen.",
                "Die Polizei sperrte mehrere Straßen, nachdem Bäume auf die Fahrbahn gestürzt waren.",
            ]
        )
    ]
    paras = [p for _, p in eval_build.ud_v7_paragraphs(rows, "UD_Y", "de")]
    assert paras and all("Küste" not in p and "danach" not in p for p in paras)
    gum = [dict(r, treebank="UD_English-GUM", doc="GUM_fiction_x") for r in rows]
    assert eval_build.ud_v7_paragraphs(gum, "UD_English-GUM", "de") == []


def test_english_carrier_with_a_doubled_word_is_not_clean() -> None:
    assert not eval_build._clean_carrier("the mayor said the the bridge would stay shut", "en")
    assert eval_build._clean_carrier("what he had had in mind was that that was over", "en")
    assert eval_build._clean_carrier("Soldaten, die die Schüsse abgaben", "de")


def test_span_sampling_skips_words_the_source_tags_as_names() -> None:
    builder = eval_build.Builder.__new__(eval_build.Builder)
    builder.rng = random.Random(0)
    origin = "ud:UD_German-GSD:s-2"
    sentence = "Gestern sagte Klaus Berger vor Journalisten, dass die Arbeit weitergehe."
    builder.sources = {"de": [(origin, sentence)]}
    builder.names_in = {}
    spans = {builder.sample_span("de", "en", 1) for _ in range(200)} - {None}
    assert ("Klaus", origin) in spans
    builder.names_in = {origin: {"Klaus", "Berger"}}
    spans = {builder.sample_span("de", "en", 1) for _ in range(200)} - {None}
    assert spans and all(s not in ("Klaus", "Berger") for s, _ in spans)


def test_an_insertion_that_would_double_its_neighbour_is_refused() -> None:
    text = "The weather this week is a real worry for the farmers in the valley."
    start = text.index("a real")
    end = start + len("a real")
    assert eval_build._doubles(text, start, end, "is nagy")
    assert eval_build._doubles(text, start, end, "nagy worry")
    assert not eval_build._doubles(text, start, end, "nagy az")
