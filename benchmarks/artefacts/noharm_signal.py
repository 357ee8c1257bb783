"""No harm with a translation sign: applied changes on clean English whose page names another
language (round 33). Run from the repo root with the interpreter whose ``newsetl`` is to be
measured (its own installed copy is imported, so main and a branch can be compared)::

    .venv/bin/python benchmarks/artefacts/noharm_signal.py [--show 40] [--json OUT]
    /work/main/.venv/bin/python benchmarks/artefacts/noharm_signal.py   # main's code

``noharm.py`` analyses clean text as a page with no sign of translation, so every repair that
needs one (glued words, lost spaces, doubled words, cut names) is only reported there. Here
every English text is analysed as if its page had an Italian hreflang alternate (the worst
case: such a page counts as a translation) with a translator that answers every request: any
applied change is a change to correct text. Text nobody here wrote, all public:

* ``zyte-html``: the Zyte benchmark's 181 raw HTML pages (``/work/s32/zp`` or the benchmark's
  own ``html`` directory), extracted with trafilatura;
* ``zyte``, ``fundus-eval``, ``fundus-pages``, ``trafilatura-eval``: as in ``noharm.py``;
* ``mqm-sources``: the English source side of the WMT MQM sets (newstest2020, newstest2021
  en-de and en-ru, TED talks en-de and en-ru, generalMT2023 en-de): human-written news and
  talks, eight consecutive segments of one document per text;
* ``bbc-2004``: 2,095 BBC News articles of 2004-2005 (``get_news_en.py`` fetches them);
* ``wmt-news``: the English-original documents of the WMT21/22/24 news test sets and
  ``ud-en``: the English Universal Dependencies treebanks (EWT, GUM), one document per text
  (``get_news_v7.py`` fetches both);
* ``lingua-en``: lingua-py's English test sentences, ten lines per text.

Texts are kept when langdetect says English. Besides the counts, the texts holding each
pattern the round-33 audit found damaged are counted, so the check shows it covers them:
sentence-initial "There <Capitalised>", the false friends' wrong forms, a term after
"called/termed/the word", camel-case tokens, "word.Word", doubled capitalised words.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
import tarfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from run import _english  # the same langdetect test as run.py's Zyte check

REPO = Path.cwd()
SHARED = (REPO / ".." / "shared" / "benchmarks").resolve()
ZYTE_DIR = SHARED / "extraction" / "zyte-article-extraction-benchmark"
ZYTE_HTML = [ZYTE_DIR / "html"]
FUNDUS_EVAL = SHARED / "extraction" / "fundus-evaluation" / "ground_truth.json"
FUNDUS_PAGES = SHARED / "extraction" / "fundus-parser-testdata"
TRAF_CACHE = SHARED / "artefacts-eval" / "trafilatura-eval-bodies.jsonl.gz"
NEWS_V7 = SHARED / "news-v7"  # get_news_v7.py writes it
BBC = SHARED / "news-en" / "bbc-2004" / "articles.jsonl.gz"
LINGUA_EN = SHARED / "langid" / "lingua-py" / "language-testdata" / "sentences" / "en.txt"
MQM = SHARED / "mqm"
MQM_FILES = [
    MQM / "wmt-qe-2022-copies" / "mqm_newstest2020_ende.tsv.gz",
    MQM / "wmt-qe-2022-copies" / "mqm-newstest2021_ende.tsv.gz",
    MQM / "wmt-qe-2022-copies" / "mqm-newstest2021_enru.tsv.gz",
    MQM / "wmt-qe-2022-copies" / "mqm-ted_enru.tsv.gz",
    MQM / "google-wmt-mqm" / "mqm_ted_ende.tsv.gz",
]
MQM_SXS = MQM / "google-wmt-mqm" / "sxs_mqm_generalMT2023_ende.3ratingsPerSegment.tsv.tar.gz"
TOKEN = re.compile(r"\w+")
HINT = {"it": "https://example.org/it/"}

PATTERNS = {
    "There <Capitalised>": re.compile(r"(?:^|[.!?]\s+|\n)There\s+[A-Z]"),
    "false-friend form": re.compile(
        r"\b(?:treatises?|manifestations?|formation|actual|parents|camera|library|sensible|"
        r"assist(?:s|ed)?|chef)\b",
        re.IGNORECASE,
    ),
    "called/termed/the word": re.compile(
        r"\b(?:called|termed|dubbed|known as|the (?:word|term|phrase))\s+\S", re.IGNORECASE
    ),
    "camel-case token": re.compile(r"\b[a-z]+[A-Z][a-z]+"),
    "word.Word": re.compile(r"[a-z]{3,}\.[A-Z][a-z]+"),
    "doubled capitalised word": re.compile(r"\b([A-Z][a-z]+) \1\b"),
}


class AnswersEverything:
    """A translator that answers every request: what would be applied with a live one."""

    name = "answers-everything"

    def translate(self, text: str, source: str, target: str) -> str | None:
        return f"<{target}:{text}>"


def zyte_html():
    import trafilatura

    folder = next((p for p in ZYTE_HTML if p.is_dir()), None)
    if folder is None:
        return
    for path in sorted(folder.iterdir()):
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        text = trafilatura.extract(raw.decode("utf-8", errors="replace")) or ""
        if text.strip():
            yield text


def zyte():
    truth = json.loads((ZYTE_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    for _, row in sorted(truth.items()):
        if (row.get("articleBody") or "").strip():
            yield row["articleBody"]


def fundus_eval():
    data = json.loads(FUNDUS_EVAL.read_text(encoding="utf-8"))
    for _, row in sorted(data.items()):
        paras = [p for p in row.get("body", []) if not p.startswith("[")]
        if paras:
            yield "\n\n".join(paras)


def fundus_pages():
    for path in sorted(FUNDUS_PAGES.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for _, record in sorted(data.items()):
            body = record.get("body") or {}
            paras = list(body.get("summary") or [])
            for section in body.get("sections") or []:
                paras += section.get("paragraphs") or []
            if paras:
                yield "\n\n".join(paras)


def trafilatura_eval():
    if not TRAF_CACHE.exists():
        return  # written by noharm.py
    with gzip.open(TRAF_CACHE, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if text.strip():
                yield text


def _mqm_rows(reader) -> dict[str, dict[int, str]]:
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    docs: dict[str, dict[int, str]] = defaultdict(dict)
    for row in reader:
        if len(row) < len(header) - 1:
            continue
        seg = row[col["seg_id"]] if "seg_id" in col else row[col["docSegId"]]
        try:
            number = int(seg)
        except ValueError:
            continue
        docs[row[col["doc"]]].setdefault(number, row[col["source"]])
    return docs


def mqm_sources():
    seen: set[str] = set()
    tables = []
    for path in MQM_FILES:
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
                tables.append(_mqm_rows(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)))
    if MQM_SXS.exists():
        with tarfile.open(MQM_SXS) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith(".tsv"):
                    data = tar.extractfile(member)
                    if data is not None:
                        fh = io.TextIOWrapper(data, encoding="utf-8", newline="")
                        tables.append(
                            _mqm_rows(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
                        )
    for docs in tables:
        for doc in sorted(docs):
            segs = [docs[doc][k] for k in sorted(docs[doc])]
            for i in range(0, len(segs), 8):
                text = " ".join(s.strip() for s in segs[i : i + 8] if s.strip())
                text = text.replace("<v>", "").replace("</v>", "")
                if text and text not in seen:
                    seen.add(text)
                    yield text


def bbc_2004():
    """BBC News 2004-2005 articles (``get_news_en.py`` writes them), whole articles."""
    if not BBC.exists():
        return
    with gzip.open(BBC, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if text.strip():
                yield text


def wmt_news():
    """English-original news documents of the WMT21/22/24 test sets (source side)."""
    path = NEWS_V7 / "wmt-docs.jsonl.gz"
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["lang"] == "en":
                yield "\n\n".join(" ".join(par) for par in doc["paragraphs"])


def ud_en():
    """The English Universal Dependencies treebanks' sentences (EWT: web text, e-mails,
    reviews; GUM: news, interviews, how-to guides), one document per text."""
    path = NEWS_V7 / "ud-sentences.jsonl.gz"
    if not path.exists():
        return
    docs: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["lang"] == "en":
                docs[f"{row['treebank']}:{row['doc']}"].append(row["text"])
    for key in sorted(docs):
        yield " ".join(docs[key])


def lingua_en():
    lines = [x.strip() for x in LINGUA_EN.read_text(encoding="utf-8").splitlines() if x.strip()]
    for i in range(0, len(lines), 10):
        yield " ".join(lines[i : i + 10])


CORPORA = {
    "zyte-html": zyte_html,
    "zyte": zyte,
    "fundus-eval": fundus_eval,
    "fundus-pages": fundus_pages,
    "trafilatura-eval": trafilatura_eval,
    "mqm-sources": mqm_sources,
    "bbc-2004": bbc_2004,
    "wmt-news": wmt_news,
    "ud-en": ud_en,
    "lingua-en": lingua_en,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    ap.add_argument("--show", type=int, default=0, help="print this many applied changes")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from newsetl.artefacts import analyse, warm_up

    warm_up()
    translator = AnswersEverything()
    report: dict = {"corpora": {}, "applied": []}
    shown = 0
    totals: Counter = Counter()
    for name in args.corpus or list(CORPORA):
        t0 = time.process_time()
        stats: Counter = Counter()
        by_kind: Counter = Counter()
        patterns: Counter = Counter()
        for text in CORPORA[name]():
            if not _english(text):
                continue
            stats["texts"] += 1
            stats["tokens"] += len(TOKEN.findall(text))
            for label, pattern in PATTERNS.items():
                patterns[label] += bool(pattern.search(text))
            result = analyse(text, "en", alternates=HINT, translator=translator)
            stats["findings"] += len(result.findings)
            for f in result.findings:
                if f.status != "applied":
                    continue
                stats["applied"] += 1
                by_kind[f.kind] += 1
                context = text[max(0, f.start - 60) : f.end + 60].replace("\n", " ")
                report["applied"].append(
                    {
                        "corpus": name,
                        "kind": f.kind,
                        "surface": f.surface,
                        "replacement": f.replacement,
                        "detector": f.detector,
                        "context": context,
                    }
                )
                if shown < args.show:
                    shown += 1
                    print(f"  [{name}] {f.kind} {f.surface!r} -> {f.replacement!r} ({f.detector})")
                    print(f"      …{context}…")
        totals.update(stats)
        report["corpora"][name] = {
            **stats,
            "applied_by_kind": dict(by_kind),
            "texts_with_pattern": dict(patterns),
        }
        print(
            f"== {name}: {stats['texts']} English texts, {stats['tokens']} tokens, "
            f"{stats['findings']} findings, {stats['applied']} applied "
            f"({time.process_time() - t0:.1f} s CPU)"
        )
        print(f"   applied by kind: {dict(by_kind)}")
        print(f"   texts with each audited pattern: {dict(patterns)}")
    report["total"] = dict(totals)
    print(
        f"ALL: {totals['texts']} texts, {totals['tokens']} tokens, {totals['findings']} findings, "
        f"{totals['applied']} applied (page with an Italian hreflang alternate)"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
