"""Link the stored entities that name the same thing across documents and languages.

Why a layer over the ids rather than other ids: an entity id is a pure function of one
article's mentions (:mod:`.ids`), so "Дональд Трамп" (``person:donal-d-tramp``), "Donald
Trump" and a lone "Trumpa" in a Polish article (local to that article) are three ids. Changing
the ids to link them would make an id depend on what else is stored. Instead the links are
recomputed from the *whole* warehouse, by rules that look only at the set of stored entities
(never at the order they came in), into ``entity_resolution`` (migration 008): every entity
gets a ``resolved_id``, the same for every run over the same data. Mentions keep their ids.

Rules (entities sharing a key are one group; a person is never joined with a place or an
organisation, not even through an untyped entity between them, and two seed entities never):

* **spelling key**: a name transliterated (anyascii), Slavic case endings cut, then reduced to
  its consonant skeleton with the usual transliteration variants folded ("Trump", "Трамп",
  "Trumpa" -> ``trmp``; "Дональд Трамп" = "Donald Trump"; "Londynie" = "London"). A name of
  one word needs three skeleton letters (shorter ones collide). Entities are named by their
  own forms (name and aliases), not by every surface of a group the extractor may have glued.
* **seed aliases**: seed entities take part with all their aliases, exactly written or by
  spelling key. A seed alias of one language meets names written in that language or a
  related one (:data:`_FAMILY`) unless its key is distinctive (several words, five skeleton
  letters); a one-word seed alias with a shorter key links by its exact form only (Slovene
  "Tajska", Thailand, and "Tusk" share ``tsk``).
* **surname**: a person named by one word only (article-local id), or an untyped one-word
  name ("other:trump"), joins the one full-name person whose last word has that spelling key;
  when several full names share it ("Donald Trump", "Melania Trump") the link is *reported*
  in ``entity_resolution_review``, not applied.
* **acronym**: an all-capitals organisation name joins the one organisation whose initials it
  spells and that is named in an article where the acronym is; several candidates: reported.
* a learned all-capitals name is untyped for these rules (the extractor calls an unknown
  acronym an organisation: "США", "ZDA" are countries).

A group takes the id of its seed entity if it has one, else of its most complete name (most
words, then smallest id), so the resolved id of a group is as stable as its members.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from anyascii import anyascii

from .ids import lossy_script

#: Coarse types: entities of one coarse type may be linked ("city" with "place").
#: Nationality words (see :mod:`.demonyms`) link only to their country, by rule 4.
NATIONALITY = "nationality"
#: Nationality ids of regions that are not countries ("European" -> Europe).
_REGION_IDS = {"nationality:eu": "place:europe"}

COARSE = {"country": "place", "city": "place", "place": "place", "person": "person",
          "organisation": "organisation"}  # fmt: skip

#: Case endings cut from a transliterated name word of at least five letters (longest first),
#: leaving at least four: Polish/Czech/Slovene/Croatian/Slovak and transliterated Cyrillic.
_ENDINGS = tuple(
    sorted(
        {"a", "u", "e", "i", "y", "o", "em", "om", "ie", "ii", "iy", "ij", "yj", "ovi", "owi",
         "ou", "ach", "ami", "ech", "ov", "ova", "ove", "oj", "ego", "ogo", "emu", "omu",
         "ym", "im", "iem", "yi", "oi", "ei", "iu", "ia", "ju", "ja", "akh", "ikh",
         "ykh", "eho"},
        key=len,
        reverse=True,
    )
)  # fmt: skip
#: Transliteration variants folded before the skeleton is taken, in one pass (longest first).
_FOLD = {
    "shch": "s", "tsch": "c", "dzh": "j", "sch": "s", "tch": "c", "kh": "h", "ch": "c",
    "cz": "c", "ts": "c", "tz": "c", "sz": "s", "sh": "s", "zh": "s", "rz": "s", "ph": "f",
    "th": "t", "ck": "k", "eu": "ev", "q": "k", "x": "ks", "w": "v", "z": "s", "g": "h",
}  # fmt: skip
_FOLD_RE = re.compile("|".join(sorted(_FOLD, key=len, reverse=True)))
_ENDING_SETS = tuple((n, frozenset(e for e in _ENDINGS if len(e) == n)) for n in (3, 2, 1))
_VOWELS = frozenset("aeiouyj")
_ACRONYM = re.compile(r"^[A-ZÀ-ÞА-ЯЁІЇЄҐ]{2,6}$")
#: Alias languages that a seed alias of any language-less use is written in.
_ANY_LANGUAGE = frozenset({"mul", "en", ""})
#: Languages that write short names alike (a seed alias of one meets names of the others):
#: Cyrillic East and South Slavic, West Slavic, Latin South Slavic, Scandinavian.
_FAMILY = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr"), "cyrl-slavic"),
    **dict.fromkeys(("pl", "cs", "sk"), "west-slavic"),
    **dict.fromkeys(("sl", "hr", "bs"), "south-slavic"),
    **dict.fromkeys(("da", "nb", "nn", "no", "sv"), "nordic"),
}
#: Words not counted in initials ("Organisation *of the* United Nations").
_SMALL = frozenset(
    "of the and for de la le les des du und der die das fur für del della di e y i a o "  # noqa: SIM905
    "na w z za do od po ve v pro и в на за по од от до".split()
)
#: compiled once: these run for every word of every stored name when entities are resolved
_NOT_A_TO_Z = re.compile(r"[^a-z]")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*")


@lru_cache(maxsize=262144)
def word_key(word: str) -> str:
    """The spelling key of one name word (see the module docstring)."""
    w = anyascii(unicodedata.normalize("NFC", word)).casefold()
    w = _NOT_A_TO_Z.sub("", w)
    if not w:
        return ""
    if len(w) >= 5:
        for n, endings in _ENDING_SETS:
            if len(w) - n >= 4 and w[-n:] in endings:
                w = w[:-n]
                break
    w = _FOLD_RE.sub(lambda m: _FOLD[m.group()], w)
    head, rest = w[0], w[1:]
    out = [head]
    for ch in rest:
        if ch in _VOWELS or ch == "h":
            continue
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


def _words(name: str) -> list[str]:
    return _WORD.findall(name)


def _exact_words(name: str) -> list[str]:
    """The key words of a name (as :mod:`.ids` keys it: tokens in ``norm`` form): what a name
    in a script whose transliteration is lossy links by."""
    from .ids import name_words
    from .text import norm

    return [k for w in name_words(name) if (k := norm(w))]


def name_key(name: str) -> str | None:
    """The spelling key of a whole name, or None when it is too weak to link on: one word with
    fewer than three skeleton letters, or a name with letters outside Latin, Greek and Cyrillic
    (:func:`.ids.lossy_script`), whose transliterated skeleton joins different names: Han
    homophones ("王氏集团" and "汪氏集团"), Indic and Thai names that differ in a vowel sign or a
    tone mark ("सोनिया गांधी", "सानिया गांधी"). Those link by their key words
    (:func:`_exact_words`), as their ids do."""
    if lossy_script(name):
        return None
    words = [w for w in _words(name) if w.casefold() not in _SMALL]
    keys = [k for k in (word_key(w) for w in words) if k]
    if not keys:
        return None
    if len(keys) == 1 and len(keys[0]) < 3:
        return None
    return " ".join(keys)


def acronym_of(name: str) -> str | None:
    """The initials of a name of two or more words (small words left out), upper case."""
    words = [w for w in _words(name) if w.casefold() not in _SMALL]
    if len(words) < 2:
        return None
    return "".join(anyascii(w[0]).upper()[:1] for w in words)


@dataclass
class EntityRecord:
    """What the rules see of one stored entity."""

    entity_id: str
    type: str
    name: str
    source: str = "learned"
    #: aliases and mention surfaces with their language ("mul" when used across languages)
    forms: Sequence[tuple[str, str]] = ()
    articles: frozenset[str] = frozenset()

    @property
    def local(self) -> bool:
        return "~" in self.entity_id

    @property
    def coarse(self) -> str:
        return COARSE.get(self.type, "other")

    @property
    def kind(self) -> str:
        """The coarse type the links respect; a learned all-capitals name is untyped (the
        extractor calls an unknown acronym an organisation: "США", "ZDA" are countries)."""
        if self.source == "learned" and _ACRONYM.match(self.name):
            return "other"
        return self.coarse


@dataclass
class Resolution:
    resolved: dict[str, str] = field(default_factory=dict)  # entity id -> resolved id
    rule: dict[str, str] = field(default_factory=dict)  # entity id -> rule that linked it
    review: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (entity id, candidate id, rule, reason): links not applied


class _Groups:
    """Union-find that never joins two seed entities, nor a person with a place or an
    organisation (also not through an untyped entity between them)."""

    def __init__(self, records: dict[str, EntityRecord]) -> None:
        self.parent = {e: e for e in records}
        self.seed = {e: (e if r.source != "learned" else None) for e, r in records.items()}
        self.kind = {e: (r.kind if r.kind != "other" else None) for e, r in records.items()}

    def find(self, a: str) -> str:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        sa, sb = self.seed[ra], self.seed[rb]
        if sa and sb and sa != sb:
            return False
        ka, kb = self.kind[ra], self.kind[rb]
        if ka and kb and ka != kb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.seed[ra] = sa or sb
        self.kind[ra] = ka or kb
        return True


def _strong(key: str) -> bool:
    """A key distinctive enough to meet names of other languages: several words, or one word
    of five skeleton letters (an exact form: six characters)."""
    if key.startswith("="):
        return len(key) > 6
    return " " in key or len(key) >= 5


def _link_bucket(
    key: str,
    members: list[str],
    recs: dict[str, EntityRecord],
    groups: _Groups,
    linked: dict[str, str],
    res: Resolution,
) -> None:
    """Join the entities that share one key: those of one coarse type, and the untyped
    (``other``) ones when the key names one type only; an untyped entity between two types,
    or two seed entities, is reported instead."""
    rule = "seed-alias" if key.startswith("=") else "spelling"
    by_type: dict[str, list[str]] = defaultdict(list)
    for eid in members:
        by_type[recs[eid].kind].append(eid)
    typed = sorted(t for t in by_type if t != "other")
    if len(typed) > 1 and by_type.get("other"):
        for eid in by_type["other"]:
            res.review.append((eid, ",".join(by_type[t][0] for t in typed), rule,
                               f"key {key!r} names several types"))  # fmt: skip
    sets = [by_type[t] for t in typed] if len(typed) > 1 else [members]
    for ids in sets:
        first = ids[0]
        for other in ids[1:]:
            if groups.union(first, other):
                linked.setdefault(other, rule)
                linked.setdefault(first, rule)
            else:
                res.review.append((other, first, rule, f"two seed entities share {key!r}"))


def _bucket_keys(r: EntityRecord) -> list[str]:
    """The spelling buckets (rule 1) ``r`` is in: each of its forms by exact form and by
    spelling key, tagged with the language family (or untagged) it meets names of."""
    if r.local or r.type == NATIONALITY:
        return []
    seed = r.source != "learned"
    out = []
    for form, language in sorted({(r.name, "mul"), *r.forms}):
        # A short seed alias of one language meets only names written in that language
        # (the seed's 17,000 aliases in 50 languages have many short look-alikes: Finnish
        # "Saksa" is Germany); learned names meet each other in any language.
        if lossy_script(form):  # by its key words: pointed = plain, no skeleton
            keys = ["=" + " ".join(_exact_words(form))]
        else:
            keys = ["=" + unicodedata.normalize("NFC", form).casefold()]
        if not (r.coarse == "person" and len(_words(form)) < 2):
            # (a person's surname alone is the surname rule's business)
            k = name_key(form)
            # a seed alias of one short word meets names by its exact form only: Slovene
            # "Tajska" (Thailand) and "Tusk" have one three-letter skeleton
            if k and not (seed and " " not in k and len(k) < 4):
                keys.append(k)
        family = _FAMILY.get(language, language)
        for key in keys:
            tags = ["", family]
            if seed and language not in _ANY_LANGUAGE and not _strong(key):
                tags = [family]
            for tag in tags:
                out.append(f"{key}|{tag}")
    return out


def _surname_keys(r: EntityRecord) -> set[str]:
    """The last-word keys of a full-name person's forms (rule 2's candidates)."""
    out: set[str] = set()
    if r.coarse != "person" or r.local:
        return out
    for form in {r.name, *(f for f, _ in r.forms)}:
        if lossy_script(form):  # its last key word, as written (see name_key)
            exact = _exact_words(form)
            if len(exact) >= 2:
                out.add("=" + exact[-1])
            continue
        words = [w for w in _words(form) if w.casefold() not in _SMALL]
        if len(words) >= 2 and (k := word_key(words[-1])) and len(k) >= 2:
            out.add(k)
    return out


class FixedKeys:
    """The keys of a fixed set of seed entities, computed once for every run that stores
    them unchanged (:func:`fixed_keys`; the store keeps it in the disk cache under a digest
    of their rows).

    Why: the seed's ~17,500 aliases are ~85 % of the forms :func:`resolve` reads, and their
    spelling keys were computed again by every run (~0.2 s of CPU of the run's serial tail on
    the Zyte pages). Exact, because of what the rules do with them: a bucket gets the same
    seed members whatever else is stored, and a bucket holding seed entities only links
    nothing (two seed entities are never joined), so all it gives is its review rows, the
    same ones every time; the union-find's state never depends on it.

    Kept compact (read back in every run's serial tail): the ~45,000 bucket keys of the
    shipped seed map to positions in the sorted ids, one position or a tuple; pickled, the
    keys are one string. Unpickling took ~25 ms with tuples of ids, ~11 ms so."""

    def __init__(
        self,
        ids: Iterable[str],
        buckets: dict[str, int | tuple[int, ...]],
        shared: dict[str, list[tuple[str, str, str, str]]],
        surnames: dict[str, tuple[str, ...]],
    ) -> None:
        #: the entities these keys are of (each seed, not article-local), sorted
        self.order = tuple(sorted(ids))
        self.ids = frozenset(self.order)
        #: spelling bucket -> the fixed entities in it (rule 1), as positions in ``order``
        self._buckets = buckets
        #: spelling bucket holding two or more fixed entities -> the review rows it gives alone
        self.shared = shared
        #: surname key -> the fixed full-name persons ending in it (rule 2)
        self.surnames = surnames

    def bucket(self, key: str) -> tuple[str, ...]:
        """The fixed entities in spelling bucket ``key``."""
        found = self._buckets.get(key)
        if found is None:
            return ()
        if isinstance(found, int):
            return (self.order[found],)
        return tuple(self.order[n] for n in found)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FixedKeys):
            return NotImplemented
        return (self.order, self._buckets, self.shared, self.surnames) == (
            other.order, other._buckets, other.shared, other.surnames
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        keys = list(self._buckets)
        if any(_KEY_SEPARATOR in key for key in keys):  # no name of the shipped seed holds it
            return (FixedKeys, (self.order, self._buckets, self.shared, self.surnames))
        packed = (self.order, _KEY_SEPARATOR.join(keys), list(self._buckets.values()))
        return (_unpack_fixed_keys, (*packed, self.shared, self.surnames))


#: Between the bucket keys of a pickled :class:`FixedKeys`.
_KEY_SEPARATOR = "\x00"


def _unpack_fixed_keys(
    order: tuple[str, ...],
    keys: str,
    members: list[int | tuple[int, ...]],
    shared: dict[str, list[tuple[str, str, str, str]]],
    surnames: dict[str, tuple[str, ...]],
) -> FixedKeys:
    buckets = dict(zip(keys.split(_KEY_SEPARATOR), members, strict=True))
    return FixedKeys(order, buckets, shared, surnames)


def fixed_keys(records: Iterable[EntityRecord]) -> FixedKeys:
    """The :class:`FixedKeys` of ``records``: seed entities only (a learned or article-local
    one would be joined by its buckets, which the shortcut relies on never happening)."""
    recs = {r.entity_id: r for r in records}
    for r in recs.values():
        if r.source == "learned" or r.local:
            raise ValueError(f"fixed keys are for seed entities only: {r.entity_id!r}")
    buckets: dict[str, set[str]] = defaultdict(set)
    surnames: dict[str, set[str]] = defaultdict(set)
    for eid, r in recs.items():
        for key in _bucket_keys(r):
            buckets[key].add(eid)
        for key in _surname_keys(r):
            surnames[key].add(eid)
    shared: dict[str, list[tuple[str, str, str, str]]] = {}
    groups = _Groups(recs)
    for key, members in sorted(buckets.items()):
        if len(members) > 1:
            linked: dict[str, str] = {}
            res = Resolution()
            _link_bucket(key, sorted(members), recs, groups, linked, res)
            if linked:  # pragma: no cover - two seed entities are never joined
                raise AssertionError(f"seed entities joined by {key!r}")
            shared[key] = res.review
    position = {eid: n for n, eid in enumerate(sorted(recs))}
    places = {key: sorted(position[e] for e in ids) for key, ids in buckets.items()}
    return FixedKeys(
        recs,
        {key: found[0] if len(found) == 1 else tuple(found) for key, found in places.items()},
        shared,
        {key: tuple(sorted(ids)) for key, ids in surnames.items()},
    )


def resolve(records: Iterable[EntityRecord], fixed: FixedKeys | None = None) -> Resolution:
    """Group ``records`` by the rules of this module; order-independent (every loop runs in
    sorted order and every choice is by a total order on ids).

    ``fixed``: the keys of some of the records (their forms are then not read), computed by
    :func:`fixed_keys` from those same records: the result is the one without it."""
    recs = {r.entity_id: r for r in records}
    groups = _Groups(recs)
    res = Resolution()
    linked: dict[str, str] = {}

    skip = fixed.ids if fixed is not None else frozenset()
    if not skip <= recs.keys():
        raise ValueError("the fixed keys name entities that are not among the records")

    # 1. spelling keys of full names, and seed aliases written exactly alike
    buckets: dict[str, set[str]] = defaultdict(set)
    for eid in sorted(recs):
        if eid not in skip:
            for key in _bucket_keys(recs[eid]):
                buckets[key].add(eid)
    if fixed is None:
        for key, members in sorted(buckets.items()):
            if len(members) < 2:
                continue
            _link_bucket(key, sorted(members), recs, groups, linked, res)
    else:
        # the fixed entities' own shared keys only report (two seed entities are never
        # joined), so the buckets that hold another entity are the ones to link, in the same
        # (sorted) order, with the fixed reports in between
        for key, members in buckets.items():
            members.update(fixed.bucket(key))
        due = {key for key, members in buckets.items() if len(members) > 1}
        due.update(fixed.shared)
        for key in sorted(due):
            if key in buckets:
                _link_bucket(key, sorted(buckets[key]), recs, groups, linked, res)
            else:
                res.review.extend(fixed.shared[key])

    # 2. a lone surname joins the one full name with that last word
    surnames: dict[str, set[str]] = defaultdict(set)
    for eid in sorted(recs):
        if eid not in skip:
            for key in _surname_keys(recs[eid]):
                surnames[key].add(eid)
    fixed_surnames = fixed.surnames if fixed is not None else {}
    for eid in sorted(recs):
        r = recs[eid]
        lone = r.local and r.coarse == "person"
        untyped = (
            r.source == "learned" and r.kind == "other" and r.type != NATIONALITY
            and not _ACRONYM.match(r.name)
        )  # fmt: skip
        if not (lone or untyped):
            continue
        lossy = lossy_script(r.name)
        words = _exact_words(r.name) if lossy else _words(r.name)
        if not words or not (lone or len(words) == 1):
            continue
        key = "=" + words[-1] if lossy else word_key(words[-1])
        named = (*surnames.get(key, ()), *fixed_surnames.get(key, ()))
        candidates = sorted({groups.find(c) for c in named})
        if len(candidates) == 1:
            groups.union(eid, candidates[0])
            linked.setdefault(eid, "surname")
        elif len(candidates) > 1:
            res.review.append((eid, ",".join(candidates[:5]), "surname",
                               f"{len(candidates)} full names end in {words[-1]!r}"))  # fmt: skip

    # 3. acronym <-> expansion named in a shared article
    by_article: dict[str, list[str]] = defaultdict(list)
    for eid in sorted(recs):
        for a in recs[eid].articles:
            by_article[a].append(eid)
    # each organisation's initials once, not once per article an acronym shares with it (at
    # 50,000 pages, 153,000 calls for ~23,000 entities; benchmarks/README.md "Round 21")
    initials: dict[str, str | None] = {}

    def initials_of(other: str) -> str | None:
        if other not in initials:
            o = recs[other]
            initials[other] = acronym_of(o.name) if o.coarse == "organisation" else None
        return initials[other]

    for eid in sorted(recs):
        r = recs[eid]
        if r.coarse != "organisation" or not _ACRONYM.match(r.name):
            continue
        acronym = anyascii(r.name).upper()
        expansions: set[str] = set()
        for a in sorted(r.articles):
            for other in by_article[a]:
                if other != eid and initials_of(other) == acronym:
                    expansions.add(groups.find(other))
        ordered = sorted(expansions)
        if len(ordered) == 1:
            if groups.union(eid, ordered[0]):
                linked.setdefault(eid, "acronym")
        elif len(ordered) > 1:
            res.review.append((eid, ",".join(ordered[:5]), "acronym",
                               f"{len(ordered)} expansions of {r.name!r}"))  # fmt: skip

    # 4. a nationality word to its country ("nationality:gb" -> "country:GB"), the one link
    # these words get (they are never grouped by spelling: "Russian" is not Russia's name)
    for eid in sorted(recs):
        if recs[eid].type != NATIONALITY or not eid.startswith(NATIONALITY + ":"):
            continue
        country = "country:" + eid.split(":", 1)[1].upper()
        target = country if country in recs else _REGION_IDS.get(eid)
        if target in recs and groups.union(eid, target):
            linked.setdefault(eid, "nationality")

    # the id of each group
    group_members: dict[str, list[str]] = defaultdict(list)
    for eid in recs:
        group_members[groups.find(eid)].append(eid)
    for ids in group_members.values():
        if len(ids) == 1:  # most entities: no other name to weigh
            res.resolved[ids[0]] = ids[0]
            continue
        best = min(ids, key=lambda e: (recs[e].source == "learned", recs[e].local,
                                       -len(_words(recs[e].name)), e))  # fmt: skip
        for e in ids:
            res.resolved[e] = best
            if len(ids) > 1:
                res.rule[e] = linked.get(e, "spelling")
    return res
