"""Rebuild ``../shared/benchmarks/dates/htmldate-eval/`` from a clone of htmldate's repository.

The data is htmldate's own evaluation set (Adrien Barbaresi, Apache-2.0): ``tests/eval_default.json``
and ``tests/eval_mediacloud_2020.json`` (URL -> file name, gold day) and the 1,000 HTML pages they
name under ``tests/eval``, ``tests/test_set`` and ``tests/cache``. It is public data, so it stays
outside the repository; this script is how to get it back on a new machine (the coordinates are
in the README it writes):

    git clone https://github.com/adbar/htmldate /tmp/htmldate          # or any mirror
    uv run python benchmarks/metadata/get_htmldate_eval.py /tmp/htmldate [--commit b895282]

Pages are stored gzipped as ``pages/<file>.gz`` (what ``benchmarks/metadata/dates.py`` and
``benchmarks/fetch/canonical_rule.py`` read). A bare git directory works too (``--commit`` then
names the tree to read; default ``HEAD``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO.parent / "shared" / "benchmarks" / "dates" / "htmldate-eval"
SETS = ("eval_default.json", "eval_mediacloud_2020.json")
FOLDERS = ("tests/eval", "tests/test_set", "tests/cache")


def git(source: Path, *args: str) -> bytes:
    git_dir = source / ".git" if (source / ".git").exists() else source
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path, help="a clone (or bare git dir) of adbar/htmldate")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    commit = git(args.source, "rev-parse", args.commit).decode().strip()
    listing = git(args.source, "ls-tree", "-r", "-z", "--name-only", commit, *FOLDERS)
    by_name = {p.rsplit("/", 1)[-1]: p for p in listing.decode("utf-8").split("\0") if p}
    pages = args.out / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    written = missing = 0
    for name in SETS:
        raw = git(args.source, "show", f"{commit}:tests/{name}")
        (args.out / name).write_bytes(raw)
        for entry in json.loads(raw.decode("utf-8")).values():  # NaN parses as float nan
            path = by_name.get(entry["file"])
            if path is None:
                missing += 1
                continue
            body = git(args.source, "show", f"{commit}:{path}")
            (pages / f"{entry['file']}.gz").write_bytes(gzip.compress(body, mtime=0))
            written += 1
    (args.out / "README.md").write_text(
        "# htmldate evaluation set\n\n"
        f"From https://github.com/adbar/htmldate at commit {commit} (Apache-2.0):\n"
        f"{', '.join(f'tests/{s}' for s in SETS)} and the pages they name under "
        f"{', '.join(FOLDERS)}, gzipped as pages/<file>.gz.\n"
        f"{written} pages written, {missing} named but not found.\n"
        "Rebuilt by newsetl's benchmarks/metadata/get_htmldate_eval.py; never copied into the repo.\n",
        encoding="utf-8",
    )
    print(f"{written} pages ({missing} missing) -> {args.out} (htmldate {commit[:12]})")


if __name__ == "__main__":
    main()
