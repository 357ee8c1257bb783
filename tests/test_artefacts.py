"""Detection and repair of machine-translation artefacts (newsetl issue 3).

Sentences here are written for these tests (not taken from the benchmark set), one group per
artefact kind, plus the look-alikes that must be left alone.
"""

from __future__ import annotations

import itertools
import threading

import pytest

from newsetl.artefacts import (
    APPLIED,
    FLAGGED,
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
    # In a page that shows it is a translation (here: its Italian hreflang alternate) the
    # repair is applied; in a page with no sign of translation it is only reported.
    translated = analyse(text, "en", alternates={"it": "https://example.org/it/"})
    assert kinds(translated) == ["glued_tokens", "glued_tokens"]
    assert translated.repaired_text == (
        "The envoy flew to Warsaw for talks with the European partners."
    )
    alone = analyse(text, "en")
    assert [(f.replacement, f.status) for f in alone.findings] == [
        ("to Warsaw", FLAGGED),
        ("the European", FLAGGED),
    ]
    assert alone.repaired_text == text


@pytest.mark.parametrize(
    ("glued", "split"),
    [
        ("He spoke toThe Guardian on Monday.", "to The"),
        ("The team inCalifornia’s capital won.", "in California’s"),
        ("Ivan Rakitic scored. Later Rakiticand Modric celebrated.", "Rakitic and"),
        ("The plan needs improvementand funding.", "improvement and"),
        ("He presented the new rulesIn 2020 the board met.", "rules In"),
    ],
)
def test_glued_words_found_in_real_translations(glued: str, split: str) -> None:
    result = analyse(glued, "en")
    assert only(result, "glued_tokens").replacement == split


@pytest.mark.parametrize(
    "text",
    [
        "Norah Weinstein and Kelly Sawyer Patricof lead the company.",
        "Chuck Peruto said the trial was unfair.",
        "Juston Burris played well, but the lack thereof hurt them.",
        "The airline easyJet and the app WhatsApp were mentioned.",
    ],
)
def test_names_and_words_ending_like_a_glued_word_are_kept(text: str) -> None:
    assert [f for f in analyse(text, "en").findings if f.kind == "glued_tokens"] == []


def test_a_handle_or_hashtag_is_not_split_in_a_translated_page() -> None:
    """A handle or hashtag is its owner's spelling: "@theGuardian" was split into "@the
    Guardian" once the page showed a translation (round 32's audit); a fused link in the same
    text still is."""
    text = "Follow @theGuardian and #theWeek. The envoy flew toWarsaw on Monday."
    result = analyse(text, "en", alternates={"it": "https://example.org/it/"})
    assert [f.surface for f in result.findings if f.kind == "glued_tokens"] == ["toWarsaw"]
    assert result.repaired_text == (
        "Follow @theGuardian and #theWeek. The envoy flew to Warsaw on Monday."
    )


def test_lone_foreign_conjunction_is_translated_into_the_text_language() -> None:
    result = analyse("The region exports wine e cheese to the north.", "en")
    finding = only(result, "untranslated_function_word")
    assert (finding.surface, finding.replacement, finding.source_language) == ("e", "and", "it")
    assert result.repaired_text == "The region exports wine and cheese to the north."
    # English left in German: reported with its German equivalent, not applied ("and der"
    # is also a common typo of "an der").
    german = analyse("Die Stadt baut Straßen and Brücken.", "de")
    finding = only(german, "untranslated_function_word")
    assert (finding.replacement, finding.status) == ("und", FLAGGED)
    assert german.repaired_text == "Die Stadt baut Straßen and Brücken."


@pytest.mark.parametrize(
    ("text", "word", "lang"),
    [
        ("Prices en wages rose sharply this year.", "en", "nl"),
        ("Prices och wages rose sharply this year.", "och", "sv"),
        ("The plan covers housing, ja schools in the region.", "ja", "fi"),
        ("Prices și wages rose sharply this year.", "și", "ro"),
        ("The talks were tense, aber both sides stayed.", "aber", "de"),
    ],
)
def test_lone_function_words_of_many_languages(text: str, word: str, lang: str) -> None:
    finding = only(analyse(text, "en"), "untranslated_function_word")
    assert finding.surface == word and lang in (finding.source_language, "nl", "sv")


def test_function_word_with_another_meaning_is_reported_not_applied() -> None:
    # Dutch "en" is "and", but French/Spanish "en" is "in": the replacement is a guess.
    result = analyse("The firm sells bikes en scooters across the region.", "en")
    finding = only(result, "untranslated_function_word")
    assert finding.replacement == "and" and finding.status == FLAGGED


def test_false_friend_needs_the_documents_own_usage() -> None:
    with_evidence = analyse(
        "Both states signed the treaty in May. The treatise enters into force next year.", "en"
    )
    finding = only(with_evidence, "false_friend")
    assert finding.surface == "treatise" and finding.replacement == "treaty"
    # The pair alone is reported (people write both words); with another trace of
    # translation in the text (here a calque) it is applied (round 33).
    assert finding.status == FLAGGED
    traced = analyse(
        "There Russia signed the treaty in May. The treatise enters into force next year.", "en"
    )
    assert only(traced, "false_friend").status == APPLIED
    assert traced.repaired_text.endswith("The treaty enters into force next year.")
    without = analyse("The treatise enters into force next year.", "en")
    assert without.findings == []


def test_title_cased_common_word_mid_sentence_is_reported() -> None:
    text = "The charity helps Homeless families in winter. Many homeless people sleep outside."
    result = analyse(text, "en")
    finding = only(result, "capitalisation")
    assert finding.replacement == "homeless" and finding.status == FLAGGED
    assert result.repaired_text == text  # a capitalised word may be a name: never changed
    # Without the document's own lower-case use it is not even reported.
    assert analyse("The charity helps Homeless families in winter.", "en").findings == []


@pytest.mark.parametrize(
    "text",
    [
        "A Pakistani social media star was arrested.",
        "Saudi women can now drive.",
        "The Georgian house was restored.",
        "This historic Bavarian town attracts tourists.",
    ],
)
def test_nationality_adjectives_are_never_lowered(text: str) -> None:
    assert analyse(text + " Many people came.", "en").findings == []


def test_untranslated_phrase_is_pending_without_translator() -> None:
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en")
    finding = only(result, "untranslated_span")
    assert finding.surface == "corruzione in atti giudiziari"
    assert finding.source_language == "it"
    assert finding.status == PENDING and finding.replacement is None
    assert result.repaired_text == text  # nothing applied: pending spans leave text alone
    assert result.source_language == "it"
    # The language map covers the whole text: English, the Italian span, English.
    assert result.language_spans == [
        {"start": 0, "end": finding.start - 1, "language": "en", "source": "text"},
        {
            "start": finding.start,
            "end": finding.end,
            "language": "it",
            "source": "artefact",
            "surface": "corruzione in atti giudiziari",
        },
        {"start": finding.end + 1, "end": len(text), "language": "en", "source": "text"},
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
    """A provider's translation replaces the span only when the article shows it was
    translated from that language (here its Italian hreflang alternate); otherwise the
    translation is recorded and the finding reported."""
    translator = _Dictionary({("corruzione in atti giudiziari", "it", "en"): "judicial bribery"})
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en", translator=translator, alternates={"it": "https://x/it/"})
    finding = only(result, "untranslated_span")
    assert finding.status == APPLIED
    assert result.repaired_text == "Prosecutors opened a case for judicial bribery last spring."
    unhinted = analyse(text, "en", translator=translator)
    finding = only(unhinted, "untranslated_span")
    assert (finding.replacement, finding.status) == ("judicial bribery", FLAGGED)
    assert unhinted.repaired_text == text


def test_glossary_translation_is_applied_as_a_curated_term() -> None:
    from newsetl.translate import ChainTranslator, GlossaryTranslator

    glossary = GlossaryTranslator(
        entries=[
            {
                "source_language": "it",
                "target_language": "en",
                "source_text": "corruzione in atti giudiziari",
                "translation": "judicial bribery",
            }
        ]
    )
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en", translator=ChainTranslator(glossary=glossary))
    assert only(result, "untranslated_span").status == APPLIED


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


@pytest.mark.parametrize(
    "text",
    [
        "Soldaten, die die Schüsse abgegeben hatten, wurden befragt.",
        "Der Mann, der der Polizei half, wurde geehrt.",
        "Das Haus, das das Feuer überstand, steht noch.",
    ],
)
def test_german_relative_clauses_are_never_changed(text: str) -> None:
    assert analyse(text, "de", alternates={"en": "https://x/en/"}).findings == []


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


def test_single_foreign_word_is_reported_but_not_applied() -> None:
    """A word English never uses and Italian often does is reported on its own evidence;
    its translation is never applied (a single word may be a loanword or a name)."""
    translator = _Dictionary({("licenziamenti", "it", "en"): "layoffs"})
    text = "The agency reported more licenziamenti this year."
    alone = analyse(text, "en", translator=translator)
    finding = only(alone, "untranslated_span")
    assert (finding.surface, finding.source_language) == ("licenziamenti", "it")
    assert finding.status == FLAGGED and alone.repaired_text == text


@pytest.mark.parametrize(
    ("text", "word", "lang"),
    [
        ("The town held new verkiezingen last spring.", "verkiezingen", "nl"),
        ("Workers demanded higher wynagrodzenia this year.", "wynagrodzenia", "pl"),
        ("The company changed its fakturering rules again.", "fakturering", "sv"),
        ("The report describes the tilstand of the roads.", "tilstand", "da"),
    ],
)
def test_single_words_of_many_languages(text: str, word: str, lang: str) -> None:
    finding = only(analyse(text, "en"), "untranslated_span")
    assert finding.surface == word
    assert finding.source_language in {lang} | set(foreign_sisters(lang))


def foreign_sisters(lang: str) -> frozenset[str]:
    from newsetl.artefacts import lexicon

    return lexicon.SISTERS.get(lang, frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "The pasta was served al dente with a glass of prosecco.",
        "She made her début at the festival.",
        "The Organisation internationale de la Francophonie met in Paris.",
        "France's Institut national de la statistique et des études économiques published it.",
        "She recalled the film La vita è bella as a turning point.",
    ],
)
def test_loanwords_names_and_titles_in_their_own_language_are_not_artefacts(text: str) -> None:
    assert analyse(text, "en").findings == [], text


def test_a_loan_phrase_that_is_reported_is_never_rewritten() -> None:
    """ "bête noire" looks like French left in English (its words are rare in English); it
    may be reported, but no translator answer ever turns it into "black beast"."""
    translator = _Dictionary({("bête noire", "fr", "en"): "black beast"})
    text = "He was the bête noire of the party."
    result = analyse(text, "en", translator=translator)
    assert result.repaired_text == text
    assert all(f.status != APPLIED for f in result.findings)


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
    # Applied only in a page that shows it is a translation.
    assert finding.status == FLAGGED and result.repaired_text == text
    translated = analyse(text, "en", declared_language="pl")
    assert translated.repaired_text.endswith("Kowalczyk told judges she was innocent.")
    # German inflection and a name glued to "to" are not truncations.
    assert [
        f.kind
        for f in analyse("Der Steuerbeamte prüfte. Ein Steuerbeamter kam.", "de").findings
        if f.kind == "truncated_name"
    ] == []
    thunberg = analyse("Greta Thunberg spoke. Thunbergto the crowd.", "en")
    assert [f.kind for f in thunberg.findings] == ["glued_tokens"]
    # Plurals, demonyms and real words are not truncations.
    clean = "South Dakota farmers met South Dakotans. Brad Pitt thanked Tom Brady."
    assert analyse(clean, "en").findings == []


def test_doubled_function_word_is_removed_but_legitimate_doubling_kept() -> None:
    hint = {"it": "https://x/it/"}
    result = analyse("Aid reached the the villages in the north.", "en", alternates=hint)
    assert only(result, "duplicated_word").replacement == "the"
    assert result.repaired_text == "Aid reached the villages in the north."
    assert only(analyse("Aid reached the the villages.", "en"), "duplicated_word").status == (
        FLAGGED
    )
    clean = "She said that that was enough. They had had doubts. You do do the same."
    assert analyse(clean, "en").findings == []
    maybe = only(analyse("The plan is is ready.", "en", alternates=hint), "duplicated_word")
    assert maybe.status == FLAGGED  # "what it is is ..." is English
    assert analyse("What it is is a plan.", "en").findings == []


@pytest.mark.parametrize(
    ("text", "surface", "lang"),
    [
        ("Yields rose on the bonds.The market fell.", "bonds.The", "en"),
        ('He said"We will win" and left.', 'said"We', "en"),
        ("Der Kurs fiel deutlich.Die Anleger verkauften.", "deutlich.Die", "de"),
    ],
)
def test_missing_space_after_a_sentence_or_at_a_quote(text: str, surface: str, lang: str) -> None:
    finding = only(analyse(text, lang), "missing_space")
    assert finding.surface == surface and " " in finding.replacement


@pytest.mark.parametrize(
    "text", ["Install Node.js today.", "Visit example.com now.", "It costs 3.5 euros."]
)
def test_dots_that_are_not_sentence_ends(text: str) -> None:
    assert analyse(text, "en").findings == []


@pytest.mark.parametrize(
    ("text", "surface", "replacement"),
    [
        ("There White House said no.", "There White", "The White"),
        ("There Britain voted to leave.", "There Britain", "Britain"),
        ("There NATO alliance met in Brussels.", "There NATO", "The NATO"),
        ("He jury ruled on Monday.", "He jury", "The jury"),
        ("THE'Italia won the match.", "THE'Italia", "Italy"),
    ],
)
def test_article_calques_of_real_translations(text: str, surface: str, replacement: str) -> None:
    result = analyse(text, "en")
    finding = next(f for f in result.findings if f.kind.startswith("calque"))
    assert (finding.surface, finding.replacement) == (surface, replacement)


@pytest.mark.parametrize(
    "text",
    [
        "He said the plan would work.",
        "He almost resigned. He briefly spoke. He plans to run.",
        "There Smith scored his second goal.",
        "There is no alternative.",
    ],
)
def test_english_he_and_there_are_kept(text: str) -> None:
    assert [f for f in analyse(text, "en").findings if f.kind.startswith("calque")] == []


def test_surname_translated_word_by_word_is_reported_with_the_original() -> None:
    text = "Prime Minister Giuseppe Count met the mayor."
    result = analyse(text, "en")
    finding = only(result, "translated_name")
    assert finding.surface == "Count" and finding.status == FLAGGED
    with_original = analyse(
        text,
        "en",
        original_text="Il presidente del Consiglio Giuseppe Conte ha incontrato il sindaco.",
        original_language="it",
    )
    finding = only(with_original, "translated_name")
    assert finding.replacement == "Conte" and finding.status == FLAGGED
    assert with_original.repaired_text == text
    for name in ("Angela Merkel met them.", "John Smith met them.", "New York Times staff."):
        assert analyse(name, "en").findings == [], name


def test_untranslated_quotation_is_reported_but_never_applied() -> None:
    text = "Der Minister sagte, man werde „never give up the fight for justice“ und ging."
    result = analyse(text, "de")
    finding = only(result, "untranslated_span")
    assert finding.surface == "never give up the fight for justice"
    assert finding.status == PENDING and finding.confidence < 0.8
    assert [s["language"] for s in result.language_spans] == ["de", "en", "de"]
    glossed = "Sie riefen „never give up the fight“ (niemals aufgeben) vor dem Rathaus."
    assert analyse(glossed, "de").findings == []
    titled = "Sie spielt in der Serie „How to Get Away With Murder“ die Hauptrolle."
    assert analyse(titled, "de").findings == []


def test_single_foreign_word_is_supported_by_the_pages_hreflang() -> None:
    """A word English uses now and then ("koning" is a surname in English, a common word in
    Dutch) is reported only when the page points to Dutch, unless the words on both sides
    show it stands alone inside an English sentence (see the next test)."""
    text = "The town crowned a new koning."
    hinted = analyse(text, "en", alternates={"en": "https://x/en/", "nl": "https://x/nl/"})
    assert [f.surface for f in hinted.findings] == ["koning"]
    assert hinted.source_language == "nl"
    other = analyse(text, "en", alternates={"fr": "https://x/fr/"})
    assert other.findings == []


@pytest.mark.parametrize(
    ("text", "word", "lang"),
    [
        ("The town crowned a new koning last spring.", "koning", "nl"),
        ("Part of me believes that bez shouldn't happen.", "bez", "pl"),
        ("He said the plans werden undermine food security.", "werden", "de"),
        ("Rates have risen sharply und prices followed.", "und", "de"),
        ("The committee approved the verabschiedeter budget today.", "verabschiedeter", "de"),
        ("Die Regierung hat gestern the neue Gesetz beschlossen.", "the", "en"),
    ],
)
def test_lone_foreign_word_between_words_of_the_text_is_reported(
    text: str, word: str, lang: str
) -> None:
    """A common word of another language that the text language hardly uses, standing alone
    between two ordinary words of the text (or a long word no list knows that lingua places
    firmly elsewhere), is reported without help from the page; never applied."""
    result = analyse(text, translator=None)
    spans = [f for f in result.findings if f.kind.startswith("untranslated")]
    assert [f.surface for f in spans] == [word]
    # The language is the best guess among those that use the word ("bez" is Polish, Czech,
    # Slovak, Croatian ...): it must be one that does.
    assert spans[0].source_language not in (None, result.language)
    # A lone word is never rewritten (a listed conjunction is translated by its meaning).
    assert spans[0].status != APPLIED or spans[0].kind == "untranslated_function_word"


@pytest.mark.parametrize(
    "text",
    [
        "She recalled the film Hastalığın ilaçlı mücadelesinin as a turning point.",
        "She recalled the newspaper In de as a turning point.",
        "Building a den or playing in the garden kept them busy.",
        "Mucha gente quiere que los dems te conozcan en la comunidad.",
        "Today, I’m going to build on what I shared in the first article.",
    ],
)
def test_titles_english_words_and_damaged_encodings_are_not_lone_foreign_words(
    text: str,
) -> None:
    """A title after "the film" keeps its wording; "den" is English; "dems" is Spanish
    "demás" with its accented letter lost by a broken encoding."""
    assert analyse(text, translator=None).findings == []


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("He doctors said that the estimate was too low.", "He doctors"),
        ("He only problem is that you cannot play in docked mode.", "He only"),
    ],
)
def test_he_for_an_article_before_a_noun(text: str, surface: str) -> None:
    found = only(analyse(text, "en"), "calque_article")
    assert found.surface == surface and found.replacement.startswith("The ")


@pytest.mark.parametrize(
    "text",
    ["He first joined the board in 2010.", "He last year won the title.", "He always said so."],
)
def test_he_before_adverbs_and_verbs_is_kept(text: str) -> None:
    assert "calque_article" not in kinds(analyse(text, "en"))


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("De clubkleuren zijn geel en en rood, zegt de voorzitter.", "en en"),
        ("Er klagte vor dem Europäischen Gerichtshof im im Jahr 2019.", "im im"),
    ],
)
def test_doubled_function_words_in_more_languages(text: str, surface: str) -> None:
    assert only(analyse(text), "duplicated_word").surface == surface


def test_glued_function_word_inside_a_quotation_and_before_an_unknown_name() -> None:
    quoted = analyse("They played “Takin’ It toThe Streets” all night.", "en")
    assert only(quoted, "glued_tokens").replacement == "to The"
    name = analyse("While theSeaquarium was being scrutinized, the park stayed open.", "en")
    assert only(name, "glued_tokens").replacement == "the Seaquarium"


def test_missing_space_before_a_name_after_a_sentence_stop() -> None:
    result = analyse("Some funds go toward charity.Prakash said more could follow.", "en")
    assert only(result, "missing_space").surface == "charity.Prakash"


def test_findings_are_in_reading_order() -> None:
    text = "Unions blamed the crisi economica. The agency reported more licenziamenti e tagli."
    result = analyse(text, "en")
    starts = [f.start for f in result.findings]
    assert len(starts) >= 2 and starts == sorted(starts)


# --- the mission's seed examples, in one machine-translated article -------------------------
SEED_ARTICLE = (
    "The suspects face charges of child pornography and riciclaggio di denaro. "
    "THE'Iran has rejected the offer. There Russia has criticised theUnited Nations for the "
    "evidence e data it published. Both states signed the treaty in May. This treatise has "
    "now been extended. Karim Mebarki was detained in Milan. Mebark was arrested on Monday. "
    "Prime Minister Giuseppe Count said the inquiry would continue."
)


def test_the_missions_seed_examples_are_all_found_and_repaired() -> None:
    from newsetl.translate import translator_from_settings

    translator = translator_from_settings({"NEWSETL_TRANSLATOR": "none"})  # glossary only
    result = analyse(SEED_ARTICLE, "en", translator=translator)
    by_surface = {f.surface: f for f in result.findings}
    expected = {
        "riciclaggio di denaro": ("untranslated_span", "money laundering", APPLIED),
        "THE'Iran": ("calque_elided_article", "Iran", APPLIED),
        "There Russia": ("calque_article", "Russia", APPLIED),
        "theUnited": ("glued_tokens", "the United", APPLIED),
        "e": ("untranslated_function_word", "and", APPLIED),
        "treatise": ("false_friend", "treaty", APPLIED),
        "Mebark": ("truncated_name", "Mebarki", APPLIED),
        "Count": ("translated_name", None, FLAGGED),
    }
    for surface, (kind, replacement, status) in expected.items():
        finding = by_surface[surface]
        assert (finding.kind, finding.replacement, finding.status) == (kind, replacement, status)
    assert result.source_language == "it"
    assert len(result.findings) == len(expected)
    assert result.repaired_text == (
        "The suspects face charges of child pornography and money laundering. "
        "Iran has rejected the offer. Russia has criticised the United Nations for the "
        "evidence and data it published. Both states signed the treaty in May. This treaty has "
        "now been extended. Karim Mebarki was detained in Milan. Mebarki was arrested on "
        "Monday. Prime Minister Giuseppe Count said the inquiry would continue."
    )


def test_language_spans_cover_the_text_and_name_each_part() -> None:
    text = (
        "Officials met on Monday. The suspects face charges of riciclaggio di denaro. "
        "Ich werde rot, wenn ich mich schäme und weine. The talks continue."
    )
    spans = analyse(text, "en").language_spans
    assert spans[0]["start"] == 0 and spans[-1]["end"] == len(text)
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(spans))
    labelled = [(s["language"], s["source"]) for s in spans]
    assert ("it", "artefact") in labelled and ("de", "passage") in labelled
    german = next(s for s in spans if s["language"] == "de")
    assert "wenn ich mich" in german["surface"]
    # A sentence in another language is a language span, not an artefact.
    assert all(
        f.kind != "untranslated_span" or f.source_language != "de"
        for f in analyse(text, "en").findings
    )
