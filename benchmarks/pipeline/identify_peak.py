"""Peak memory and CPU of the process that identifies a run's short texts
(``python -m newsetl.language_job``, :mod:`newsetl.run.shorttexts`), checkout against
checkout, on the same real short texts; and whether their guesses are the same.

Why apart from ``memory_roles.py``: at a 5,000-page run's peak the tree is the run's process
beside this one (issue 14's bar, 1.5 GB), and a run's sampled peak moves by ~100 MiB from run
to run with what the run holds at that moment; this process alone, given the same texts,
is measured every 100 ms and compared in interleaved pairs.

Texts (real, from ``../shared/benchmarks``): lingua's test sentences and word pairs of the
Latin-script languages, spans of 25-220 characters cut from the Zyte and fundus benchmarks'
article texts, and the trafilatura benchmark's short snippets, with declared languages and
seeds varied; or ``--jobs FILE`` (a pickled list of ``(text, declared, seed)``).

Run (from the repository root)::

    .venv/bin/python benchmarks/pipeline/identify_peak.py --python /tmp/base/.venv/bin/python \\
        --python .venv/bin/python --reps 2 [--texts 40] [--jobs FILE]

Each row: peak PSS (and its anonymous part), VmHWM, CPU seconds (user + system) of the
process; at the end, for each checkout, whether its guesses equal the first checkout's.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared/benchmarks"


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text if ch.isalpha())


def real_jobs(limit: int | None = None) -> list[tuple[str, str | None, int]]:
    """The real short texts described above, in a fixed order (seeded)."""
    rng = random.Random(12)
    jobs: list[tuple[str, str | None, int]] = []
    testdata = SHARED / "langid/lingua-py/language-testdata"
    for kind, n in (("sentences", 40), ("word-pairs", 25)):
        for path in sorted((testdata / kind).glob("*.txt")):
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
            lines = [line for line in lines if line and _latin(line)]
            for line in rng.sample(lines, min(n, len(lines))):
                jobs.append((line, rng.choice([None, path.stem, "en"]), rng.choice([0, 0, 7])))
    bodies = []
    zyte = SHARED / "extraction/zyte-article-extraction-benchmark/ground-truth.json"
    bodies += [v.get("articleBody") or "" for v in json.loads(zyte.read_text()).values()]
    fundus = SHARED / "extraction/fundus-evaluation/ground_truth.json"
    bodies += ["\n".join(v.get("body") or []) for v in json.loads(fundus.read_text()).values()]
    evaldata = json.loads((SHARED / "extraction/trafilatura-eval/evaldata.json").read_text())
    snippets = [
        x
        for v in evaldata.values()
        for key in ("with", "without")
        for x in v.get(key) or []
        if isinstance(x, str) and len(x) >= 20
    ]
    for snippet in rng.sample(snippets, min(2500, len(snippets))):
        jobs.append((snippet, rng.choice([None, "en", "de"]), 0))
    for body in (b for b in bodies if len(b) > 250):
        for _ in range(4):
            n = rng.choice([25, 40, 60, 90, 120, 160, 220])
            start = rng.randrange(0, len(body) - n)
            jobs.append((body[start : start + n], rng.choice([None, "en", "de"]), 0))
    return jobs[:limit] if limit else jobs


def measure(python: str, payload: bytes) -> dict:
    """Run ``python -m newsetl.language_job`` on ``payload``; its peak PSS (sampled every 100
    ms), VmHWM, CPU seconds and output."""
    proc = subprocess.Popen(
        [python, "-m", "newsetl.language_job"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    proc.stdin.write(payload)  # type: ignore[union-attr]
    proc.stdin.close()  # type: ignore[union-attr]
    peak = anon = hwm = 0
    while True:
        try:
            rollup = Path(f"/proc/{proc.pid}/smaps_rollup").read_text()
            status = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            break
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]}
        if fields.get("Pss", 0) > peak:
            peak, anon = fields["Pss"], fields.get("Pss_Anon", 0)
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                hwm = max(hwm, int(line.split()[1]))
        if "State:\tZ" in status:
            break
        time.sleep(0.1)
    _, code, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(code)
    reader.join()
    return {
        "peak_pss_mib": peak // 1024,
        "peak_anon_mib": anon // 1024,
        "vmhwm_mib": hwm // 1024,
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rc": proc.returncode,
        "out": out[0] if out else b"",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--python", action="append", required=True, help="a checkout's interpreter")
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--texts", type=int, help="only the first N texts (a run's ~5-40)")
    p.add_argument("--jobs", type=Path, help="a pickled list of (text, declared, seed)")
    args = p.parse_args()
    jobs = pickle.loads(args.jobs.read_bytes()) if args.jobs else real_jobs(args.texts)
    payload = pickle.dumps(jobs)
    print(f"{len(jobs)} texts")
    outputs: dict[str, bytes] = {}
    for rep in range(args.reps):
        for python in args.python:
            row = measure(python, payload)
            outputs.setdefault(python, row.pop("out"))
            print(rep, python, json.dumps(row), flush=True)
    first = pickle.loads(outputs[args.python[0]])
    for python in args.python[1:]:
        other = pickle.loads(outputs[python])
        differ = sum(a != b for a, b in zip(first, other, strict=True))
        print(f"{python}: {differ} of {len(first)} guesses differ from {args.python[0]}'s")


if __name__ == "__main__":
    main()
