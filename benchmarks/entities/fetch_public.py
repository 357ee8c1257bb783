"""Rebuild ``../shared/benchmarks/entities-public/`` (the public NER sets of ``public.py``).

The data is never committed here (licences: research use only for most sets); this script says
exactly where each file comes from (GitHub repository, commit, path) and copies it into the
layout ``public_sets.py`` reads, then writes the folder's README.md (provenance and licences).

Sources (pinned commits; the copies are byte-identical to the repositories' files):

* ``conll2003-en/eng.testa, eng.testb``: synalp/NER ``corpus/CoNLL-2003/`` (Reuters, CoNLL-2003
  shared task; Reuters corpus licence, research use).
* ``conll2002/{esp,ned}.test{a,b}``: teropa/nlp ``resources/corpora/conll2002/`` (the NLTK data
  copy of the CoNLL-2002 shared task; research use only, see its README).
* ``kind-wikinews/wikinews_test.tsv``: dhfbk/KIND ``dataset/`` (Italian Wikinews, CC BY 4.0).
* ``finer/digitoday.2014.dev.csv, digitoday.2015.test.csv``: mpsilfve/finer-data ``data/``
  (Finnish Digitoday news, CC BY 4.0 / research; see its README).
* ``nerkor-news/{train,devel,test}/*.conllup``: nytud/NYTK-NerKor ``data/*/news/`` (Hungarian
  news part, CC BY-SA 4.0).
* ``hipe2022/HIPE-2022-v2.1-*.tsv``: hipe-eval/HIPE-2022-data ``data/v2.1/`` (historical
  newspapers: hipe2020 de/en/fr, sonar de, letemps fr, newseye fi/sv (dev and test files); CC BY-NC-SA 4.0).
* ``bsnlp/<topic>/{annotated,raw}/<lang>/``: UL-FRI-Zitnik/BSNLP-2021-Shared-Task
  ``data/datasets/bsnlp/`` (a copy of the BSNLP 2017-2021 shared-task data, Slavic news with
  cross-lingual entity ids; research use).
* ``harem/CDSegundoHAREMclassico.xml``: davidsbatista/NER-datasets ``Portuguese/HAREM/`` (the
  Second HAREM golden collection as Linguateca distributes it in its LAMPADA 2.0 package,
  https://www.linguateca.pt/HAREM/, CC BY 3.0; found in round 3, December 2026).

Run: ``uv run python benchmarks/entities/fetch_public.py [--mirror DIR] [--out DIR]``. With
``--mirror``, repositories are read from local bare copies ``DIR/<owner>+<name>/repo``
(``git --git-dir``); without it each is cloned (blobless) from github.com into a cache folder.
This is the only part of the benchmarks that goes online, and only when run.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "entities-public"

BSNLP_TOPICS = ("asia_bibi", "brexit", "ec", "nord_stream", "other", "ryanair", "trump")
HIPE_FILES = (
    "hipe2020/de/HIPE-2022-v2.1-hipe2020-dev-de.tsv",
    "hipe2020/de/HIPE-2022-v2.1-hipe2020-test-de.tsv",
    "hipe2020/en/HIPE-2022-v2.1-hipe2020-dev-en.tsv",
    "hipe2020/en/HIPE-2022-v2.1-hipe2020-test-en.tsv",
    "hipe2020/fr/HIPE-2022-v2.1-hipe2020-dev-fr.tsv",
    "hipe2020/fr/HIPE-2022-v2.1-hipe2020-test-fr.tsv",
    "letemps/fr/HIPE-2022-v2.1-letemps-dev-fr.tsv",
    "letemps/fr/HIPE-2022-v2.1-letemps-test-fr.tsv",
    "sonar/de/HIPE-2022-v2.1-sonar-dev-de.tsv",
    "sonar/de/HIPE-2022-v2.1-sonar-test-de.tsv",
    "newseye/fi/HIPE-2022-v2.1-newseye-dev-fi.tsv",
    "newseye/fi/HIPE-2022-v2.1-newseye-test-fi.tsv",
    "newseye/sv/HIPE-2022-v2.1-newseye-dev-sv.tsv",
    "newseye/sv/HIPE-2022-v2.1-newseye-test-sv.tsv",
)


@dataclass(frozen=True)
class Source:
    """One repository at one commit; ``paths`` maps a path in it (file or folder) to a path
    under the set's folder."""

    set: str
    repo: str
    commit: str
    paths: tuple[tuple[str, str], ...]
    licence: str


SOURCES: tuple[Source, ...] = (
    Source(
        "conll2003-en", "synalp/NER", "c0ea07c81ec3512b5047dcd804b0ac2b10a3bdfc",
        (("corpus/CoNLL-2003/eng.testa", "eng.testa"),
         ("corpus/CoNLL-2003/eng.testb", "eng.testb")),
        "Reuters RCV1 text (CoNLL-2003 shared task): research use under the Reuters corpus "
        "agreement.",
    ),
    Source(
        "conll2002", "teropa/nlp", "f89bc5a15b516208de1cfe2abe9692b7ed9a43e2",
        tuple((f"resources/corpora/conll2002/{n}", n)
              for n in ("esp.testa", "esp.testb", "ned.testa", "ned.testb", "README")),
        "CoNLL-2002 shared task (EFE news, De Morgen): research use only (see README).",
    ),
    Source(
        "kind-wikinews", "dhfbk/KIND", "a2ad139171ef7fde0dff0f8ea94d18356340ada9",
        (("dataset/wikinews_test.tsv", "wikinews_test.tsv"), ("README.md", "KIND-README.md")),
        "KIND (FBK): Wikinews part, CC BY 4.0 (Wikinews text CC BY 2.5).",
    ),
    Source(
        "finer", "mpsilfve/finer-data", "45bcbd277462bb1469118490e4ad0deb9e77f293",
        (("data/digitoday.2014.dev.csv", "digitoday.2014.dev.csv"),
         ("data/digitoday.2015.test.csv", "digitoday.2015.test.csv"),
         ("README.md", "FINER-README.md")),
        "FiNER (Ruokolainen et al.): Digitoday news, see FINER-README.md.",
    ),
    Source(
        "nerkor-news", "nytud/NYTK-NerKor", "7c9c5b5f1f3ec7f94e724e0b92f3afa8eb262d00",
        (("data/train/news", "train"), ("data/devel/news", "devel"),
         ("data/test/news", "test"), ("license.txt", "license.txt")),
        "NYTK-NerKor: CC BY-SA 4.0 (license.txt).",
    ),
    Source(
        "hipe2022", "hipe-eval/HIPE-2022-data", "147f5bc3c7fb7e5c6b024a9ffd6503cd019fb9ea",
        tuple((f"data/v2.1/{p}", Path(p).name) for p in HIPE_FILES),
        "HIPE-2022 data v2.1: CC BY-NC-SA 4.0.",
    ),
    Source(
        "bsnlp", "UL-FRI-Zitnik/BSNLP-2021-Shared-Task",
        "5163242ff2e0b41d760afb3b9e9f4508f8dbaac6",
        tuple((f"data/datasets/bsnlp/{t}/{kind}", f"{t}/{kind}")
              for t in BSNLP_TOPICS for kind in ("annotated", "raw")),
        "BSNLP 2017/2019/2021 shared-task data (bsnlp.cs.helsinki.fi): research use.",
    ),
    Source(
        "harem", "davidsbatista/NER-datasets", "db7ff3ca4ba1df39907f8bdc036a556fed5ecde7",
        (("Portuguese/HAREM/CDSegundoHAREMclassico.xml", "CDSegundoHAREMclassico.xml"),),
        "Second HAREM golden collection (Linguateca, LAMPADA 2.0 package): CC BY 3.0 "
        "(https://www.linguateca.pt/HAREM/); the copy in davidsbatista/NER-datasets.",
    ),
)  # fmt: skip


def git_dir(repo: str, commit: str, mirror: Path | None, cache: Path) -> Path:
    """A git directory holding ``commit`` of ``repo``: the local mirror, else a blobless clone."""
    if mirror is not None:
        base = mirror / repo.replace("/", "+") / "repo"
        for candidate in (base / ".git", base):
            if (candidate / "objects").is_dir():
                return candidate
        raise SystemExit(f"no mirror of {repo} under {mirror}")
    target = cache / repo.replace("/", "+")
    if not target.exists():
        url = f"https://github.com/{repo}.git"
        subprocess.run(
            ["git", "clone", "--bare", "--filter=blob:none", url, str(target)], check=True
        )
    return target


def export(gd: Path, commit: str, src: str, dest: Path) -> int:
    """Copy ``src`` (a file or folder at ``commit``) to ``dest``; returns the number of files."""
    archive = subprocess.run(
        ["git", "--git-dir", str(gd), "archive", "--format=tar", commit, "--", src],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    n = 0
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = Path(member.name).relative_to(src) if member.name != src else Path()
            out = dest / rel if rel.parts else dest
            out.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(member)
            assert data is not None
            out.write_bytes(data.read())
            n += 1
    return n


def build(out: Path, mirror: Path | None) -> list[tuple[Source, int]]:
    out.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        for source in SOURCES:
            gd = git_dir(source.repo, source.commit, mirror, cache)
            folder = out / source.set
            if folder.exists():
                shutil.rmtree(folder)
            n = sum(export(gd, source.commit, s, folder / d) for s, d in source.paths)
            done.append((source, n))
            print(f"{source.set:14} {n:5} files from {source.repo}@{source.commit[:10]}")
    write_readme(out, done)
    return done


def write_readme(out: Path, done: list[tuple[Source, int]]) -> None:
    lines = [
        "# Public annotated news for the entity benchmark (issue 13)",
        "",
        "Built by `benchmarks/entities/fetch_public.py` of the newsetl repository (read by",
        "`benchmarks/entities/public_sets.py`). Copies of public files, never edited; each set's",
        "licence is its own (most allow research use only: do not redistribute).",
        "",
        "| folder | files | repository | commit | paths | licence |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s, n in done:
        paths = ", ".join(sorted({p for p, _ in s.paths}))
        if len(paths) > 160:
            paths = paths[:160] + " …"
        lines.append(
            f"| {s.set} | {n} | https://github.com/{s.repo} | {s.commit} | {paths} | {s.licence} |"
        )
    lines += [""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", type=Path, help="folder of local mirrors <owner>+<name>/repo")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    build(args.out.resolve(), args.mirror)


if __name__ == "__main__":
    main()
