"""Rebuild ``../shared/benchmarks/news-v7/`` (carriers and span sources of eval version 7).

Version 7 needs carrier paragraphs and foreign-span sentences that no earlier version used. They
come from two families of public repositories (data files only; no code is copied):

* **WMT general/news test sets** (``wmt-conference/wmt21-news-systems``,
  ``wmt22-news-systems``, ``wmt24-news-systems``): the *source side* of test sets whose original
  language is English, German or French (news documents with their paragraph structure, from the
  ``xml/*.all.xml`` files), and the human Spanish reference of the WMT24 en-es set. Earlier
  versions used only the WMT MQM files (newstest2020/2021 en-de/en-ru sources and targets, the
  WMT 2023 en-de source), never these sets.
* **Universal Dependencies treebanks** (``UniversalDependencies/UD_*``): the raw sentence text
  (``# text =``) of the dev/test files (train files of 4 MiB and more are not in the snapshots),
  in file order with their document and paragraph ids.

Public data stays outside the repository; this script is how to get it back on a new machine::

    # bare git dirs or clones of the repositories in SOURCES, under one folder as owner+name
    uv run python benchmarks/artefacts/get_news_v7.py /path/to/mirrors

It writes ``wmt-docs.jsonl.gz`` (one document per line: origin, doc, domain, lang,
paragraphs as lists of segments, text exactly as in the file), ``ud-sentences.jsonl.gz`` (one
sentence per line: treebank, lang, file, sent_id, doc, par, text, and the word forms the
treebank tags PROPN, so that a sampled span is never a name) and a README with every
repository's commit and licence. Deterministic: the same commits give the same files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO.parent / "shared" / "benchmarks" / "news-v7"

#: (repository, path, what it gives): WMT XML files whose ``src`` side is used.
WMT_XML = (
    ("wmt-conference/wmt21-news-systems", "xml/newstest2021.de-fr.all.xml"),
    ("wmt-conference/wmt21-news-systems", "xml/newstest2021.fr-de.all.xml"),
    ("wmt-conference/wmt21-news-systems", "xml/newstest2021.en-is.all.xml"),
    ("wmt-conference/wmt22-news-systems", "xml/wmttest2022.de-fr.all.xml"),
    ("wmt-conference/wmt22-news-systems", "xml/wmttest2022.fr-de.all.xml"),
    ("wmt-conference/wmt22-news-systems", "xml/wmttest2022.en-zh.all.xml"),
    ("wmt-conference/wmt22-news-systems", "xml/wmttest2022.en-hr.all.xml"),
)
#: WMT24 plain-text sets: (repository, documents file, text file, language of the text).
WMT_TXT = (
    (
        "wmt-conference/wmt24-news-systems",
        "txt/documents/en-es.docs",
        "txt/sources/en-es.txt",
        "en",
    ),
    (
        "wmt-conference/wmt24-news-systems",
        "txt/documents/en-es.docs",
        "txt/references/en-es.refA.txt",
        "es",
    ),
)
#: Universal Dependencies treebanks: repository name -> language code (as langdetect names it).
UD = {
    "UD_English-EWT": "en",
    "UD_English-GUM": "en",
    "UD_German-GSD": "de",
    "UD_French-GSD": "fr",
    "UD_Italian-ISDT": "it",
    "UD_Italian-VIT": "it",
    "UD_Spanish-GSD": "es",
    "UD_Portuguese-Bosque": "pt",
    "UD_Portuguese-GSD": "pt",
    "UD_Dutch-Alpino": "nl",
    "UD_Dutch-LassySmall": "nl",
    "UD_Polish-PDB": "pl",
    "UD_Polish-LFG": "pl",
    "UD_Swedish-Talbanken": "sv",
    "UD_Danish-DDT": "da",
    "UD_Norwegian-Bokmaal": "nb",
    "UD_Finnish-TDT": "fi",
    "UD_Czech-CAC": "cs",
    "UD_Romanian-RRT": "ro",
    "UD_Hungarian-Szeged": "hu",
    "UD_Slovak-SNK": "sk",
    "UD_Turkish-BOUN": "tr",
}
LICENCES = {
    "wmt-conference": "WMT test sets: released for research by the WMT organisers (see the repository README)",
}


class Mirror:
    """A repository as a bare git dir or a clone under ``root`` (``owner+name``)."""

    def __init__(self, root: Path, repo: str) -> None:
        base = root / repo.replace("/", "+")
        for cand in (base / "repo", base / ".git", base):
            if (cand / "HEAD").exists():
                self.git_dir = cand
                break
        else:
            raise SystemExit(f"{repo}: no git directory under {base}")
        self.repo = repo
        self.commit = self._git("rev-parse", "HEAD").decode().strip()

    def _git(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True
        ).stdout

    def files(self) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", self.commit).decode().splitlines()

    def read(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}").decode("utf-8")

    def has(self, path: str) -> bool:
        """Is the file's content here? (Snapshots list files of 4 MiB and more without them.)"""
        done = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "cat-file", "-e", f"{self.commit}:{path}"],
            capture_output=True,
        )
        return done.returncode == 0


def wmt_xml_docs(mirror: Mirror, path: str) -> list[dict]:
    """Every document's source side: its paragraphs (``<p>``) as lists of segment texts."""
    root = ET.fromstring(mirror.read(path))
    name = Path(path).name.removesuffix(".all.xml")
    out = []
    for doc in root.iter("doc"):
        src = doc.find("src")
        if src is None:
            continue
        paragraphs = [[seg.text or "" for seg in p.findall("seg")] for p in src.findall("p")]
        out.append(
            {
                "origin": f"{mirror.repo.split('/')[1]}/{name}",
                "doc": doc.get("id"),
                "domain": doc.get("domain"),
                "lang": src.get("lang") or doc.get("origlang"),
                "paragraphs": paragraphs,
            }
        )
    return out


def wmt_txt_docs(mirror: Mirror, docs_path: str, text_path: str, lang: str) -> list[dict]:
    """WMT24 plain text: one paragraph per line, documents from the ``.docs`` file."""
    ids = [line.split("\t") for line in mirror.read(docs_path).splitlines()]
    lines = mirror.read(text_path).splitlines()
    if len(ids) != len(lines):
        raise SystemExit(f"{text_path}: {len(lines)} lines, {docs_path}: {len(ids)}")
    out: list[dict] = []
    name = Path(text_path).name.removesuffix(".txt")
    for (domain, doc), line in zip(ids, lines, strict=True):
        if not out or out[-1]["doc"] != doc:
            out.append(
                {
                    "origin": f"{mirror.repo.split('/')[1]}/{name}",
                    "doc": doc,
                    "domain": domain,
                    "lang": lang,
                    "paragraphs": [],
                }
            )
        out[-1]["paragraphs"].append([line])
    return out


def ud_sentences(mirror: Mirror, treebank: str, lang: str) -> list[dict]:
    """The raw text of every sentence of the treebank's .conllu files, in file order."""
    out = []
    for path in sorted(p for p in mirror.files() if p.endswith(".conllu") and "/" not in p):
        if not mirror.has(path):
            continue  # a train file too large for the snapshot: dev and test are enough
        doc = par = sent_id = None
        for line in mirror.read(path).splitlines():
            if m := re.match(r"# newdoc(?: id|_id)? = (.*)", line):
                doc = m.group(1).strip()
            elif m := re.match(r"# newpar(?: id|_id)?(?: = (.*))?", line):
                par = (m.group(1) or "").strip() or f"{sent_id}+"
            elif m := re.match(r"# sent_id = (.*)", line):
                sent_id = m.group(1).strip()
            elif m := re.match(r"# text = (.*)", line):
                out.append(
                    {
                        "treebank": treebank,
                        "lang": lang,
                        "file": path,
                        "sent_id": sent_id,
                        "doc": doc,
                        "par": par,
                        "text": m.group(1),
                        "propn": [],
                    }
                )
            elif out and not line.startswith("#") and line.count("\t") >= 3:
                cols = line.split("\t")
                if cols[3] == "PROPN" and cols[0].isdigit():
                    out[-1]["propn"].append(cols[1])
    return out


def ud_licence(mirror: Mirror) -> str:
    """The treebank's "License:" line of its README, else the first line of its LICENSE.txt."""
    files = mirror.files()
    for name in ("README.md", "README.txt"):
        if name in files and (m := re.search(r"^License:\s*(.+)$", mirror.read(name), re.M)):
            return m.group(1).strip()
    if "LICENSE.txt" in files:
        first = next(ln.strip() for ln in mirror.read("LICENSE.txt").splitlines() if ln.strip())
        return first[:80]
    return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mirrors", type=Path, help="folder with owner+name git dirs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    used: dict[str, Mirror] = {}

    def mirror(repo: str) -> Mirror:
        if repo not in used:
            used[repo] = Mirror(args.mirrors, repo)
        return used[repo]

    docs: list[dict] = []
    for repo, path in WMT_XML:
        docs += wmt_xml_docs(mirror(repo), path)
    for repo, docs_path, text_path, lang in WMT_TXT:
        docs += wmt_txt_docs(mirror(repo), docs_path, text_path, lang)
    with gzip.GzipFile(args.out / "wmt-docs.jsonl.gz", "wb", mtime=0) as raw:
        for row in docs:
            raw.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    sentences: list[dict] = []
    licences: dict[str, str] = {}
    for treebank, lang in UD.items():
        m = mirror(f"UniversalDependencies/{treebank}")
        sentences += ud_sentences(m, treebank, lang)
        licences[treebank] = ud_licence(m)
    with gzip.GzipFile(args.out / "ud-sentences.jsonl.gz", "wb", mtime=0) as raw:
        for row in sentences:
            raw.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    lines = [
        "# news-v7: carriers and span sources of artefact eval version 7",
        "",
        "Written by newsetl's benchmarks/artefacts/get_news_v7.py from these public repositories",
        "(data files only; never copied into the newsetl repository):",
        "",
        "| repository | commit | licence | used |",
        "| --- | --- | --- | --- |",
    ]
    for repo, m in sorted(used.items()):
        if repo.startswith("wmt-conference/"):
            paths = [p for r, p in WMT_XML if r == repo] + [
                t for r, _, t, _ in WMT_TXT if r == repo
            ]
            lic = LICENCES["wmt-conference"]
        else:
            paths = ["*.conllu (# text lines)"]
            lic = licences[repo.split("/")[1]]
        lines.append(f"| github.com/{repo} | {m.commit[:12]} | {lic} | {', '.join(paths)} |")
    by_lang: dict[str, int] = {}
    for row in sentences:
        by_lang[row["treebank"]] = by_lang.get(row["treebank"], 0) + 1
    lines += [
        "",
        f"`wmt-docs.jsonl.gz`: {len(docs)} documents (source side of the XML sets; WMT24 en-es"
        " source and human reference, one paragraph per line).",
        f"`ud-sentences.jsonl.gz`: {len(sentences)} sentences: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_lang.items())),
        "",
    ]
    (args.out / "README.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(docs)} documents, {len(sentences)} sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
