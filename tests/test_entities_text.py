"""newsetl.entities.text.strip_accents: an ASCII word is returned as it is (no ASCII character
decomposes or combines), the same as the NFKD-and-filter path gives."""

from __future__ import annotations

import random
import unicodedata

from newsetl.entities.text import norm, slug, strip_accents


def _reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_strip_accents_equals_the_decomposition_on_ascii_and_beyond():
    rng = random.Random(11)
    ascii_chars = [chr(c) for c in range(128)]
    texts = ["".join(rng.choices(ascii_chars, k=rng.randint(0, 30))) for _ in range(2000)]
    texts += [*ascii_chars, "", "Nick Ashton-Hart", "U.S.", "O'Brien", "Zürich", "ﬁnance", "Ǆ"]
    texts += ["Łódź", "São Paulo", "Ελλάδα", "Ωmega", "x\u0301", "İstanbul", "½", "Ⅻ"]
    for text in texts:
        assert strip_accents(text) == _reference(text), text
    assert strip_accents("Zürich") == "Zurich" and norm("Zürich") == "zurich"
    assert slug("Nick Ashton-Hart") == "nick-ashton-hart"
