"""Rebuild ``../shared/benchmarks/news-en/bbc-2004/`` (English carriers of eval version 6).

The data: 2,095 BBC News articles (2004-2005, business, entertainment, politics, sport, tech) as
plain text, redistributed by Nikita Savchenko in github.com/ZitRos/news-articles-dataset (MIT;
the articles are the BBC corpus of Greene & Cunningham, ICML 2006, research use). Public data
stays outside the repository; this script is how to get it back on a new machine:

    git clone https://github.com/ZitRos/news-articles-dataset /tmp/bbc     # or any mirror
    uv run python benchmarks/artefacts/get_news_en.py /tmp/bbc [--commit f0ee062]

It writes ``articles.jsonl.gz`` (one ``{"file", "category", "title", "text"}`` per article, the
text exactly as in the file after its title line) and a README with the coordinates. A bare git
directory works too (``--commit`` names the tree; default ``HEAD``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO.parent / "shared" / "benchmarks" / "news-en" / "bbc-2004"


def git(source: Path, *args: str) -> bytes:
    git_dir = source / ".git" if (source / ".git").exists() else source
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path, help="a clone (or bare git dir) of the dataset")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    commit = git(args.source, "rev-parse", args.commit).decode().strip()
    names = git(args.source, "ls-tree", "-r", "--name-only", commit, "news/").decode().split("\n")
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    with gzip.open(args.out / "articles.jsonl.gz", "wt", encoding="utf-8") as fh:
        for name in sorted(n for n in names if n.endswith(".txt")):
            raw = git(args.source, "show", f"{commit}:{name}").decode("utf-8", errors="replace")
            title, _, text = raw.lstrip("\ufeff").partition("\n")
            row = {
                "file": name,
                "category": name.split("/")[1],
                "title": title.strip(),
                "text": text.strip(),
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    (args.out / "README.md").write_text(
        "# BBC News articles 2004-2005 (English news carriers)\n\n"
        f"From https://github.com/ZitRos/news-articles-dataset at commit {commit} (MIT, Nikita\n"
        "Savchenko; the articles are BBC News stories of 2004-2005 as in the BBC corpus of Greene &\n"
        "Cunningham, ICML 2006, research use). `articles.jsonl.gz`: one JSON object per file under\n"
        "`news/` (file, category, title = first line, text = the rest, stripped).\n\n"
        "Rebuilt by newsetl's benchmarks/artefacts/get_news_en.py; never copied into the repo.\n",
        encoding="utf-8",
    )
    print(f"{written} articles -> {args.out} ({commit[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
