"""Inflected forms of German names, so that the seed needs only the nominative.

Why rules and not a list: German marks case on names and on the adjectives inside them
("Deutschlands", "den Niederlanden", "der Europäischen Zentralbank", "des Internationalen
Währungsfonds", "des Deutschen Bundestages"). The endings are few and regular, so the gazetteer
derives them from each German (or language-neutral) alias when it is built; a dictionary
lookup then finds them at no cost per text. The case rules of the alias are kept: the derived
form is written with the same capitals, and a derived form that is already another entity's
name, a sentence-opening word or an ordinary English word is not added.

Dutch is left alone on purpose: it no longer inflects names, and its genitive ``-s`` would turn
"Nederland" into the adjective "Nederlands" (Dutch).
"""

from __future__ import annotations

import itertools

#: Adjective endings inside a name ("Europäische", "Europäischen", "Internationaler" ...).
ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
#: A final word ending like this takes no genitive ``-s`` ("Paris", "Schweiz", "Graz").
_NO_GENITIVE = ("s", "ß", "x", "z")
_VOWELS = "aeiouyäöü"
#: Enough for five adjective endings times four forms of the head noun.
MAX_VARIANTS = 24


def _adjective_stem(word: str) -> str | None:
    """Stem of a capitalised adjective inside a multi-word name, or None for a noun.

    German adjectives in names end in ``-isch(e)``, ``-ig``, ``-lich`` or are the few fixed
    ones of institution names ("Deutsche", "Vereinigte", "Rotes"); the ending is what varies."""
    if not word[:1].isupper() or len(word) < 4:
        return None
    lower = word.lower()
    for ending in ("en", "er", "es", "em", "e"):
        if lower.endswith(ending):
            stem = word[: -len(ending)]
            if stem.lower().endswith(("isch", "ig", "lich", "ional", "al", "ell", "iv", "är",
                                      "deutsch", "einigt", "rot", "weiß", "schwarz", "nah",
                                      "neu", "hoh", "grün", "ständig", "oberst")):  # fmt: skip
                return stem
            return None
    return None


def _final_forms(word: str) -> list[str]:
    """The head noun as written plus its genitive (-s / -es) and dative plural (-n) forms."""
    forms = [word]
    lower = word.lower()
    if lower.endswith(_NO_GENITIVE):
        forms.append(word + "es")  # "des Roten Kreuzes"
    else:
        forms.append(word + "s")
        if lower[-1] not in _VOWELS and len(word) > 3:
            forms.append(word + "es")  # "des Bundestages"
    if lower.endswith("e"):
        forms.append(word + "n")  # "Niederlande" -> "den Niederlanden"
    return forms


def german_variants(surface: str) -> list[str]:
    """Inflected forms of a German name (the name itself excluded), at most MAX_VARIANTS.

    Only the part before the first lowercase word inflects: in "Charta der Vereinten Nationen"
    the complement is already in the genitive.

    >>> german_variants("Deutschland")
    ['Deutschlands', 'Deutschlandes']
    >>> "Europäischen Zentralbank" in german_variants("Europäische Zentralbank")
    True
    """
    words = surface.split(" ")
    if not surface or any(not w for w in words) or surface.replace("-", "").isupper():
        return []  # acronyms do not inflect ("der EZB")
    cut = next((k for k, w in enumerate(words) if not w[:1].isupper()), len(words))
    core, tail = words[:cut], words[cut:]
    if not core:
        return []
    *front, head = core
    stems = [_adjective_stem(w) for w in front]
    fronts: list[list[str]] = []
    if any(stems):
        for ending in ADJECTIVE_ENDINGS:  # adjectives agree: all take the same ending
            fronts.append([s + ending if s else w for w, s in zip(front, stems, strict=True)])
    else:
        fronts.append(front)
    out: list[str] = []
    for front_words, last in itertools.product(fronts, _final_forms(head)):
        form = " ".join([*front_words, last, *tail])
        if form != surface and form not in out:
            out.append(form)
    return out[:MAX_VARIANTS]


def german_base_key(words: list[str] | tuple[str, ...]) -> str:
    """One key for the case forms of a German name, from its normalised words: adjective
    endings dropped ("deutschen" -> "deutsch"), a genitive ending dropped from the last word
    ("wetterdienstes" -> "wetterdienst"). Used to group "Deutscher Wetterdienst" and "des
    Deutschen Wetterdienstes" in one text; it is a key, not a word."""
    if not words:
        return ""
    out = []
    for word in words[:-1]:
        stem = _adjective_stem(word[:1].upper() + word[1:])
        out.append(stem.lower() if stem else word)
    last = words[-1]
    for ending in ("es", "s"):
        if last.endswith(ending) and len(last) - len(ending) >= 4:
            last = last[: -len(ending)]
            break
    return " ".join([*out, last])
