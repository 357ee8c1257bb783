"""``content_fingerprint`` must return exactly trafilatura's ``Simhash(text).hash``.

The fingerprint is stored in the warehouse and compared across runs for near-duplicate
detection, so any difference (even one bit on one text) would split old and new rows. The
reference is trafilatura itself, run on the same text in the same test.
"""

from __future__ import annotations

import gzip
import json
import random
import string
from pathlib import Path

import pytest
from trafilatura.deduplication import Simhash

from newsetl import fingerprint
from newsetl.extract import extract_page, normalise_text_for_hash
from newsetl.fingerprint import content_fingerprint
from newsetl.samples import sample_pages

ZYTE = (
    Path(__file__).resolve().parents[2]
    / "shared/benchmarks/extraction/zyte-article-extraction-benchmark"
)

WRITTEN_TEXTS = {
    "empty": "",
    "whitespace only": " \n\t  ",
    "ascii punctuation only": "... ,,, !!! ??? --- ;;;",
    "cjk punctuation only": "。、「」！？",
    "single token": "Bürgermeisterwahl",
    "single short token": "ab",
    "two tokens": "alpha beta",
    "latin": "Die Stadtverwaltung kündigte am Montag einen neuen Fahrplan für die Straßenbahn an, "
    "der ab Dezember gelten soll; Pendler begrüßten die dichteren Takte am Abend.",
    "latin with digits": "Le conseil a voté 42 voix contre 17, et le budget 2027 passe à 3,5 millions.",
    "cyrillic": "Городской совет утвердил план ремонта моста через реку; работы начнутся весной "
    "и продлятся до конца осени, сообщили в администрации района.",
    "greek": "Το δημοτικό συμβούλιο ενέκρινε τον νέο προϋπολογισμό για τα σχολεία της πόλης.",
    "arabic": "أعلنت البلدية عن افتتاح مكتبة عامة جديدة في وسط المدينة يوم السبت المقبل.",
    "cjk without spaces": "市议会周一宣布了新的公交时刻表。从十二月起，晚间班次将更加频繁。乘客对此表示欢迎。",
    "japanese": "市は来月から新しいバス路線を運行すると発表した。住民説明会は土曜日に開かれる。",
    "thai": "สภาเมืองประกาศตารางเดินรถใหม่ในวันจันทร์",
    "mixed scripts": "Der Минister said 你好 to the comité; état-major, naïve café — 2026!",
    "only short tokens": " ".join(["a", "bc", "de", "fg", "hi", "jk"] * 20),
    "tokens of length 5": " ".join(f"w{i:04d}" for i in range(40)),
    "repeated token": "repetition " * 300,
    "emoji and symbols": "🚆 rail ✓ strike ★★★ update → tomorrow € 5",
    "very long": " ".join(f"wort{i % 997}x{i % 13}" for i in range(200_000)),
}


def _reference(text: str) -> int:
    return Simhash(text).hash


@pytest.mark.parametrize("name", sorted(WRITTEN_TEXTS))
def test_equals_trafilatura_on_written_texts(name: str) -> None:
    text = WRITTEN_TEXTS[name]
    for variant in (text, normalise_text_for_hash(text)):
        assert content_fingerprint(variant) == _reference(variant)


def test_no_tokens_sets_every_bit_like_trafilatura() -> None:
    """trafilatura's zero vector passes ``>= 0`` everywhere: all 64 bits set."""
    assert content_fingerprint("") == _reference("") == (1 << 64) - 1
    assert content_fingerprint("!!! ???") == _reference("!!! ???")


def test_equals_trafilatura_on_random_texts() -> None:
    """Small random vocabularies hit the tie case (exactly half the tokens set a bit) often."""
    rng = random.Random(20261122)
    alphabet = string.ascii_lowercase + "äöüßéèçñжщыюя中文字"
    vocabulary = ["".join(rng.choices(alphabet, k=rng.randint(1, 9))) for _ in range(400)]
    for _ in range(400):
        words = rng.choices(vocabulary[: rng.randint(1, 400)], k=rng.randint(0, 120))
        text = " ".join(w + rng.choice(["", "", ",", ".", "!"]) for w in words)
        assert content_fingerprint(text) == _reference(text), text


def test_cold_cache_gives_the_same_value() -> None:
    text = WRITTEN_TEXTS["latin"]
    warm = content_fingerprint(text)
    fingerprint._token_spread.cache_clear()
    assert content_fingerprint(text) == warm == _reference(text)


def test_portable_field_reader_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shift-based reader (used where a memoryview cast is not little-endian u32)."""
    texts = [WRITTEN_TEXTS[k] for k in ("latin", "cyrillic", "cjk without spaces", "empty")]
    monkeypatch.setattr(fingerprint, "_NATIVE_LITTLE_U32", False)
    for text in texts:
        assert content_fingerprint(text) == _reference(text)


def test_extract_page_fingerprint_equals_trafilatura_on_sample_pages() -> None:
    pages = sample_pages()
    assert pages
    for path in pages:
        page = extract_page(path.read_bytes(), path.as_uri())
        normalised = normalise_text_for_hash(page.text)
        assert page.fingerprint == _reference(normalised), path.name
        assert content_fingerprint(page.text) == _reference(page.text), path.name


@pytest.mark.skipif(not ZYTE.is_dir(), reason="Zyte benchmark data not present")
def test_equals_trafilatura_on_zyte_bodies() -> None:
    """Human-checked bodies plus one extractor's published output: ~360 real-world texts."""
    truth = json.loads((ZYTE / "ground-truth.json").read_text(encoding="utf-8"))
    texts = [item["articleBody"] for item in truth.values()]
    with gzip.open(ZYTE / "output/trafilatura.json.gz", "rt", encoding="utf-8") as fh:
        published = json.load(fh)
    if isinstance(published, dict) and isinstance(published.get("output"), dict):
        published = published["output"]
    texts += [
        item if isinstance(item, str) else (item or {}).get("articleBody") or ""
        for item in published.values()
    ]
    assert len(texts) > 300
    for text in texts:
        normalised = normalise_text_for_hash(text)
        assert content_fingerprint(normalised) == _reference(normalised)
