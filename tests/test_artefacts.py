"""Detection and repair of machine-translation artefacts (newsetl issue 3).

Sentences here are written for these tests (not taken from the benchmark set), one group per
artefact kind, plus the look-alikes that must be left alone.
"""

from __future__ import annotations

import threading

import pytest

from newsetl.artefacts import (
    APPLIED,
    PENDING,
    Analysis,
    Finding,
    analyse,
    apply_findings,
)


def kinds(result: Analysis) -> list[str]:
    return [f.kind for f in result.findings]


def only(result: Analysis, kind: str) -> Finding:
    found = [f for f in result.findings if f.kind == kind]
    assert len(found) == 1, result.findings
    return found[0]


# --- each kind is found, located and repaired --------------------------------------------
@pytest.mark.parametrize(
    ("text", "surface", "repaired"),
    [
        ("THE'Iran announced new talks.", "THE'Iran", "Iran announced new talks."),
        (
            "Officials said the'Austria was ready.",
            "the'Austria",
            "Officials said Austria was ready.",
        ),
        (
            "The decision of THE'Authority was final.",
            "THE'Authority",
            "The decision of the Authority was final.",
        ),
    ],
)
def test_elided_article_calque_is_repaired(text: str, surface: str, repaired: str) -> None:
    result = analyse(text, "en")
    finding = only(result, "calque_elided_article")
    assert text[finding.start : finding.end] == surface == finding.surface
    assert finding.status == APPLIED
    assert result.repaired_text == repaired


def test_there_calque_before_a_country_drops_the_article() -> None:
    result = analyse("There Hungary has vetoed the package again.", "en")
    finding = only(result, "calque_article")
    assert finding.surface == "There Hungary"
    assert result.repaired_text == "Hungary has vetoed the package again."


def test_there_calque_before_a_common_noun_becomes_the() -> None:
    result = analyse("There Commission opened an inquiry into the merger.", "en")
    assert result.repaired_text == "The Commission opened an inquiry into the merger."


def test_glued_link_boundary_is_split() -> None:
    text = "The envoy flew toWarsaw for talks with theEuropean partners."
    result = analyse(text, "en")
    assert kinds(result) == ["glued_tokens", "glued_tokens"]
    assert result.repaired_text == "The envoy flew to Warsaw for talks with the European partners."


def test_lone_foreign_conjunction_is_translated_into_the_text_language() -> None:
    result = analyse("The region exports wine e cheese to the north.", "en")
    finding = only(result, "untranslated_function_word")
    assert (finding.surface, finding.replacement, finding.source_language) == ("e", "and", "it")
    assert result.repaired_text == "The region exports wine and cheese to the north."
    german = analyse("Die Stadt baut Straßen and Brücken.", "de")
    assert german.repaired_text == "Die Stadt baut Straßen und Brücken."


def test_false_friend_needs_the_documents_own_usage() -> None:
    with_evidence = analyse(
        "Both states signed the treaty in May. The treatise enters into force next year.", "en"
    )
    finding = only(with_evidence, "false_friend")
    assert finding.surface == "treatise" and finding.replacement == "treaty"
    assert with_evidence.repaired_text.endswith("The treaty enters into force next year.")
    without = analyse("The treatise enters into force next year.", "en")
    assert without.findings == []


def test_title_cased_common_word_mid_sentence_is_lowered() -> None:
    result = analyse("The charity helps Homeless families in winter.", "en")
    finding = only(result, "capitalisation")
    assert finding.replacement == "homeless"
    assert result.repaired_text == "The charity helps homeless families in winter."


def test_untranslated_phrase_is_pending_without_translator() -> None:
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en")
    finding = only(result, "untranslated_span")
    assert finding.surface == "corruzione in atti giudiziari"
    assert finding.source_language == "it"
    assert finding.status == PENDING and finding.replacement is None
    assert result.repaired_text == text  # nothing applied: pending spans leave text alone
    assert result.source_language == "it"
    assert result.language_spans == [
        {
            "start": finding.start,
            "end": finding.end,
            "language": "it",
            "surface": "corruzione in atti giudiziari",
        }
    ]


class _Dictionary:
    """A Translator made for the test: a fixed table, as a glossary would be."""

    name = "test-dictionary"

    def __init__(self, table: dict[tuple[str, str, str], str]):
        self.table = table
        self.calls: list[tuple[str, str, str]] = []

    def translate(self, text: str, source: str, target: str) -> str | None:
        self.calls.append((text, source, target))
        return self.table.get((text, source, target))


def test_untranslated_phrase_is_applied_with_a_translator() -> None:
    translator = _Dictionary({("corruzione in atti giudiziari", "it", "en"): "judicial bribery"})
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en", translator=translator)
    finding = only(result, "untranslated_span")
    assert finding.status == APPLIED
    assert result.repaired_text == "Prosecutors opened a case for judicial bribery last spring."


def test_english_left_in_german_and_french_texts() -> None:
    de = analyse("Die Firma bestreitet jede Beteiligung an the price fixing scheme.", "de")
    assert only(de, "untranslated_span").source_language == "en"
    fr = analyse("Le ministre a promis une loi contre the housing shortage cette année.", "fr")
    assert only(fr, "untranslated_span").surface == "the housing shortage"


# --- what must not be flagged --------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Ursula von der Leyen met Pedro Sánchez in Brussels.",
        "According to La Repubblica, the coalition is divided.",
        "Cassa Depositi e Prestiti bought a stake in the company.",
        "The governor, Isabel Díaz Ayuso, opened the hospital.",
        "Deutsche Bahn and Ferrovie dello Stato signed a deal.",
        "Such a tax is not unfair per se.",
        "Her attitude vis-à-vis the press has changed.",
        "He acted as a bona fide buyer.",
        "The novel captures the zeitgeist.",
        "Users can pay with PayPal and chat on WhatsApp.",
        "The app was rewritten in JavaScript.",
        "There is a risk. There are options. There were delays.",
        'Protesters sang "Bella ciao" ("Goodbye beautiful") in the square.',
        "The chef cooked risotto for the guests.",
        "The lawyer cited Rossi et al. in the appeal.",
        "Take vitamin e supplements only on advice.",
        "L'Oréal and D'Alema are names with apostrophes.",
    ],
)
def test_clean_text_is_left_alone(text: str) -> None:
    result = analyse(text, "en")
    assert result.findings == [], result.findings
    assert result.repaired_text == text


def test_anglicisms_in_other_languages_are_not_flagged() -> None:
    assert analyse("Nach dem Meeting sprach der Manager über das Update.", "de").findings == []
    assert analyse("Il weekend è stato dedicato allo smart working.", "it").findings == []


# --- audit trail, offsets, reversibility ----------------------------------------------------
def test_offsets_index_the_input_and_repairs_replay_from_findings() -> None:
    text = "THE'Iran said the talks inGeneva covered oil e gas, and riciclaggio di denaro."
    result = analyse(text, "en")
    assert result.text == text
    for f in result.findings:
        assert text[f.start : f.end] == f.surface
    assert apply_findings(text, result.findings) == result.repaired_text
    # Reverting = replaying without the applied findings.
    assert apply_findings(text, [f for f in result.findings if f.status != APPLIED]) == text


def test_json_shape_matches_the_cli_contract() -> None:
    result = analyse("Prices y wages rose.", "en")
    data = result.to_json()
    assert set(data) == {"language", "source_language", "findings", "text"}
    assert data["text"] == "Prices and wages rose."
    assert set(data["findings"][0]) == {
        "kind",
        "start",
        "end",
        "surface",
        "replacement",
        "source_language",
        "confidence",
        "detector",
        "status",
    }


def test_language_is_detected_when_not_given() -> None:
    result = analyse("The committee examined the figures e the forecasts for next year.")
    assert result.language == "en"
    assert kinds(result) == ["untranslated_function_word"]


def test_unsupported_language_yields_no_findings() -> None:
    result = analyse("Het kabinet heeft vandaag nieuwe maatregelen aangekondigd.", "nl")
    assert result.findings == [] and result.repaired_text == result.text


def test_source_language_needs_artefact_evidence_not_just_hreflang() -> None:
    clean = analyse("The council approved the budget.", "en", alternates={"it": "https://x/it"})
    assert clean.source_language is None
    ambiguous_e = analyse(
        "The plan covers roads e bridges in the valley.",
        "en",
        alternates={"pt": "https://example.org/pt/"},
    )
    assert ambiguous_e.source_language == "pt"  # "e" is it or pt; hreflang breaks the tie


def test_original_text_confirms_untranslated_span() -> None:
    text = "The mayor spoke about the degrado urbano of the suburbs."
    result = analyse(
        text,
        "en",
        original_text="Il sindaco ha parlato del degrado urbano delle periferie.",
        original_language="it",
    )
    finding = only(result, "untranslated_span")
    assert finding.confidence >= 0.95 and result.source_language == "it"


def test_single_foreign_word_needs_source_language_evidence() -> None:
    alone = analyse("The agency reported more licenziamenti this year.", "en")
    assert alone.findings == []
    with_context = analyse(
        "The agency reported more licenziamenti this year. Unions blamed the crisi "
        "economica and the costo della vita.",
        "en",
    )
    surfaces = [f.surface for f in with_context.findings]
    assert "licenziamenti" in surfaces and with_context.source_language == "it"


def test_analyse_is_thread_safe() -> None:
    texts = [
        "THE'Iran has rejected the offer e the deadline.",
        "Economists expect prices y wages to rise inMadrid.",
        "Die Regierung kämpft gegen the rising energy prices im Winter.",
        "There Russia has criticized the treaty. The treatise was signed in 2019.",
    ] * 5
    expected = [analyse(t).to_json() for t in texts]
    results: list = [None] * len(texts)

    def work(i: int) -> None:
        results[i] = analyse(texts[i]).to_json()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_truncated_name_is_completed_from_the_documents_own_usage() -> None:
    text = "The court heard Marta Kowalczyk on Monday. Kowalcz told judges she was innocent."
    result = analyse(text, "en")
    finding = only(result, "truncated_name")
    assert (finding.surface, finding.replacement) == ("Kowalcz", "Kowalczyk")
    assert result.repaired_text.endswith("Kowalczyk told judges she was innocent.")
    # Plurals, demonyms and real words are not truncations.
    clean = "South Dakota farmers met South Dakotans. Brad Pitt thanked Tom Brady."
    assert analyse(clean, "en").findings == []


def test_doubled_function_word_is_removed_but_legitimate_doubling_kept() -> None:
    result = analyse("Aid reached the the villages in the north.", "en")
    assert only(result, "duplicated_word").replacement == "the"
    assert result.repaired_text == "Aid reached the villages in the north."
    assert analyse("She said that that was enough. They had had doubts.", "en").findings == []


def test_untranslated_quotation_is_reported_but_never_applied() -> None:
    text = "Der Minister sagte, man werde „never give up the fight for justice“ und ging."
    result = analyse(text, "de")
    finding = only(result, "untranslated_span")
    assert finding.surface == "never give up the fight for justice"
    assert finding.status == PENDING and finding.confidence < 0.8
    assert len(result.language_spans) == 1
    glossed = "Sie riefen „never give up the fight“ (niemals aufgeben) vor dem Rathaus."
    assert analyse(glossed, "de").findings == []
    titled = "Sie spielt in der Serie „How to Get Away With Murder“ die Hauptrolle."
    assert analyse(titled, "de").findings == []


def test_single_foreign_word_is_supported_by_the_pages_hreflang() -> None:
    text = "The agency reported more licenziamenti this year."
    hinted = analyse(text, "en", alternates={"en": "https://x/en/", "it": "https://x/it/"})
    assert [f.surface for f in hinted.findings] == ["licenziamenti"]
    assert hinted.source_language == "it"
    other = analyse(text, "en", alternates={"fr": "https://x/fr/"})
    assert other.findings == []


def test_findings_are_in_reading_order() -> None:
    text = "Unions blamed the crisi economica. The agency reported more licenziamenti e tagli."
    result = analyse(text, "en")
    starts = [f.start for f in result.findings]
    assert len(starts) >= 2 and starts == sorted(starts)
