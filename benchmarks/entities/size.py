"""Cost of ``newsetl entities`` as texts grow, and what junk text leaves behind (issue 10).

    uv run python benchmarks/entities/size.py [--sizes 0.2,2,20] [--source public|samples]

Each text is written to a file and given to the real command, ``newsetl entities FILE --json
--max-chars 0`` (no cap: the whole text is analysed), in a child process; the child's CPU
time and the wall time are reported, with seconds per MB (flat when the cost is linear).

Texts: real news prose, concatenated until the size is reached: the public annotated sets in
``../shared/benchmarks/entities-public/`` (CoNLL-2003 English, KIND Italian, BSNLP Polish;
see its README) when present, else the bundled sample articles. Junk (400 KB each, fixed
seeds): random lower/upper-case tokens, base64, one capitalised word repeated, random
capitalised "names"; reported as entities and mentions found (they should be near zero).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def news_text(source: str) -> tuple[str, str]:
    """(text, what it is) of a few hundred KB of news prose."""
    if source == "public":
        try:
            from public_sets import DATA, load_bsnlp, load_conll2003, load_kind

            if DATA.exists():
                docs = load_conll2003()[:200] + load_kind()[:150]
                docs += [d for d in load_bsnlp() if d.language == "pl"][:150]
                return "\n\n".join(d.text for d in docs), "CoNLL-2003 en + KIND it + BSNLP pl"
        except Exception as exc:  # a missing or damaged data folder: use the samples
            print(f"(public sets unavailable: {exc}; using the bundled samples)")
    import trafilatura

    from newsetl.samples import sample_pages

    texts = [trafilatura.extract(p.read_text(encoding="utf-8")) or "" for p in sample_pages()]
    return "\n\n".join(texts), "the bundled sample articles"


def sized(text: str, megabytes: float) -> str:
    n = int(megabytes * 1_000_000)
    out = text
    while len(out) < n:
        out += "\n\n" + text
    cut = out.rfind("\n", 0, n)
    return out[: cut if cut > n // 2 else n]


def junk(kind: str, size: int = 400_000) -> str:
    rng = random.Random(13)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    length = 0
    while length < size:
        if kind == "random tokens":
            w = "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
            w = w.capitalize() if rng.random() < 0.5 else w
        elif kind == "capitalised names":
            w = "".join(rng.choice(letters) for _ in range(rng.randint(4, 9))).capitalize()
        elif kind == "repeated capitals":
            w = "ACME"
        else:  # base64
            w = base64.b64encode(rng.randbytes(57)).decode()
        words.append(w)
        length += len(w) + 1
    sep = "\n" if kind == "base64" else " "
    return sep.join(words)


def run_cli(path: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    script = Path(sys.executable).with_name("newsetl")  # the installed command
    command = [str(script), "entities", str(path), "--json", "--max-chars", "0"]
    if "junk" in path.name:
        command += ["--language", "en"]  # junk has no language to detect
    proc = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"newsetl entities failed on {path}: {proc.stderr[-2000:]}")
    result = json.loads(proc.stdout)
    entities = result["entities"]
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
        "entities": len(entities),
        "mentions": sum(len(e["mentions"]) for e in entities),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.2,2,20", help="text sizes in MB")
    parser.add_argument("--source", choices=("public", "samples"), default="public")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    text, what = news_text(args.source)
    print(f"news text: {what}; `newsetl entities FILE --json --max-chars 0` in a child process")
    report: dict = {"source": what, "sizes": {}, "junk": {}}
    # a startup-only run (one short sentence): the fixed cost included in every row below
    with tempfile.TemporaryDirectory(prefix="newsetl-size-") as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text("Mario Draghi spoke in Frankfurt.", encoding="utf-8")
        base = run_cli(tiny)
        report["startup"] = base
        print(
            f"{'start-up (one sentence)':<26} cpu {base['cpu_s']:6.1f} s  wall {base['wall_s']:6.1f} s"
        )
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"news-{mb}.txt"
            path.write_text(sized(text, mb), encoding="utf-8")
            r = run_cli(path)
            net = max(r["cpu_s"] - base["cpu_s"], 0.0)
            r["cpu_s_per_mb_after_startup"] = round(net / mb, 2)
            report["sizes"][mb] = r
            print(f"{mb:>6} MB news{'':<15} cpu {r['cpu_s']:6.1f} s  wall {r['wall_s']:6.1f} s"
                  f"  ({r['cpu_s_per_mb_after_startup']:.2f} s/MB after start-up)"
                  f"  rss {r['peak_rss_mb']:.0f} MB  {r['entities']} entities,"
                  f" {r['mentions']} mentions")  # fmt: skip
        for kind in ("random tokens", "capitalised names", "base64", "repeated capitals"):
            path = Path(tmp) / f"junk-{kind.replace(' ', '-')}.txt"
            path.write_text(junk(kind), encoding="utf-8")
            r = run_cli(path)
            report["junk"][kind] = r
            print(f"400 KB {kind:<19} cpu {r['cpu_s']:6.1f} s  wall {r['wall_s']:6.1f} s"
                  f"  {r['entities']} entities, {r['mentions']} mentions")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
