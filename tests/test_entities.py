"""Mention finding and in-document grouping (newsetl.entities.extract_entities).

All texts are written for these tests. Expectations come from reading the sentences, never
from running the code.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from newsetl.entities import DocumentEntities, extract_entities


def by_surface(doc: DocumentEntities) -> dict[str, str]:
    """surface -> entity key (canonical id when known)."""
    return {m.surface: e.canonical_id or e.key for e in doc.entities for m in e.mentions}


def entity_of(doc: DocumentEntities, surface: str):
    for e in doc.entities:
        if any(m.surface == surface for m in e.mentions):
            return e
    raise AssertionError(f"{surface!r} not found in {by_surface(doc)}")


def assert_offsets(text: str, doc: DocumentEntities) -> None:
    for e in doc.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.surface


# --- multilingual seed names --------------------------------------------------------------------

UN_TEXTS = {
    "en": "Delegates met at the United Nations in Geneva, and the UN promised more aid.",
    "fr": "Les délégués se sont réunis à Genève, où l'Organisation des Nations unies a promis "
    "une aide. L'ONU publiera un rapport.",
    "it": "I delegati si sono riuniti a Ginevra, dove le Nazioni Unite hanno promesso aiuti.",
    "es": "Los delegados se reunieron en Ginebra, donde las Naciones Unidas prometieron ayuda.",
    "de": "Die Delegierten trafen sich in Genf, wo die Vereinten Nationen Hilfe zusagten.",
    "pt": "Os delegados reuniram-se em Genebra, onde as Nações Unidas prometeram ajuda.",
}


@pytest.mark.parametrize("language", sorted(UN_TEXTS))
def test_united_nations_and_geneva_in_six_languages(language: str) -> None:
    text = UN_TEXTS[language]
    doc = extract_entities(text, language)
    ids = {e.canonical_id for e in doc.entities}
    assert {"org:united-nations", "city:geneva"} <= ids
    assert_offsets(text, doc)


def test_french_article_un_is_not_the_united_nations() -> None:
    text = "Le ministre a signé un accord avec un partenaire de la Banque mondiale."
    doc = extract_entities(text, "fr")
    assert "org:united-nations" not in {e.canonical_id for e in doc.entities}
    assert entity_of(doc, "Banque mondiale").canonical_id == "org:world-bank"


def test_acronym_and_expansion_group_and_case_variants_merge() -> None:
    text = (
        "The United Nations (UN) backed the Paris Agreement on Monday. The UN said the "
        "Paris agreement needs money."
    )
    doc = extract_entities(text, "en")
    un = entity_of(doc, "United Nations")
    assert sorted(m.surface for m in un.mentions) == ["UN", "UN", "United Nations"]
    paris = entity_of(doc, "Paris Agreement")
    assert paris.type == "treaty"
    assert {m.surface for m in paris.mentions} == {"Paris Agreement", "Paris agreement"}
    assert "Monday" not in by_surface(doc)


def test_unknown_acronym_definition_is_learned() -> None:
    text = (
        "Inspectors from the Coastal Fisheries Council (CFC) visited the harbour. "
        "The CFC will publish its findings in spring."
    )
    doc = extract_entities(text, "en")
    council = entity_of(doc, "Coastal Fisheries Council")
    assert council.type == "organisation"
    assert [m.surface for m in council.mentions] == ["Coastal Fisheries Council", "CFC", "CFC"]
    assert council.acronyms == ["CFC"]
    assert council.canonical_id is None


def test_acronym_after_lowercase_expansion() -> None:
    text = "La Banque nordique d'investissement (BNI) a prêté 20 millions. La BNI est prudente."
    doc = extract_entities(text, "fr")
    bank = entity_of(doc, "Banque nordique d'investissement")
    assert sorted(m.surface for m in bank.mentions) == [
        "BNI",
        "BNI",
        "Banque nordique d'investissement",
    ]


# --- persons ------------------------------------------------------------------------------------


def test_full_name_and_hyphenated_surname_group() -> None:
    text = (
        "The consultant Nick Ashton-Hart presented a report on digital trade. "
        "According to Ashton-Hart, the rules are outdated."
    )
    doc = extract_entities(text, "en")
    person = entity_of(doc, "Nick Ashton-Hart")
    assert person.type == "person"
    assert [m.surface for m in person.mentions] == ["Nick Ashton-Hart", "Ashton-Hart"]


def test_machine_translated_truncated_and_partial_names_join_the_full_name() -> None:
    text = (
        "The ambassador Faouzia Boumaiza Mebarki has spoken at theUnited Nations. "
        "Ambassador Mebark has said that theWorld Health Organization must act, and "
        "the delegates agreed with Boumaiza Mebarki."
    )
    doc = extract_entities(text, "en")
    person = entity_of(doc, "Faouzia Boumaiza Mebarki")
    assert [m.surface for m in person.mentions] == [
        "Faouzia Boumaiza Mebarki",
        "Mebark",
        "Boumaiza Mebarki",
    ]
    # glued "theUnited Nations": the mention starts at "United", offsets stay valid
    un = entity_of(doc, "United Nations")
    assert un.canonical_id == "org:united-nations"
    assert text[un.mentions[0].start - 3 : un.mentions[0].start] == "the"
    assert entity_of(doc, "World Health Organization").canonical_id == "org:who"
    assert_offsets(text, doc)


def test_draghi_and_drago_are_two_people() -> None:
    text = (
        "Mario Draghi met the footballer Luka Drago in Rome. Draghi spoke first; "
        "later Drago thanked him."
    )
    doc = extract_entities(text, "en")
    draghi = entity_of(doc, "Mario Draghi")
    drago = entity_of(doc, "Luka Drago")
    assert draghi is not drago
    assert [m.surface for m in draghi.mentions] == ["Mario Draghi", "Draghi"]
    assert [m.surface for m in drago.mentions] == ["Luka Drago", "Drago"]


def test_titles_are_not_part_of_names_and_mark_persons() -> None:
    text = "Selon M. Colombo, le maire de Lyon, Pierre Colombo, a tenu parole."
    doc = extract_entities(text, "fr")
    person = entity_of(doc, "Pierre Colombo")
    assert {m.surface for m in person.mentions} == {"Pierre Colombo", "Colombo"}
    assert entity_of(doc, "Lyon").canonical_id == "city:lyon"


def test_italian_and_spanish_persons_with_sentence_openers() -> None:
    it = "Secondo Chiara Benedetti, la Commissione europea deve agire. Benedetti è ottimista."
    doc = extract_entities(it, "it")
    assert [m.surface for m in entity_of(doc, "Chiara Benedetti").mentions] == [
        "Chiara Benedetti",
        "Benedetti",
    ]
    assert "Secondo" not in by_surface(doc)
    assert entity_of(doc, "Commissione europea").canonical_id == "org:european-commission"
    es = "Según la ministra Lucía Fernández Ortega, España ayudará. Fernández viajará a Roma."
    doc = extract_entities(es, "es")
    assert {m.surface for m in entity_of(doc, "Lucía Fernández Ortega").mentions} == {
        "Lucía Fernández Ortega",
        "Fernández",
    }
    assert entity_of(doc, "España").canonical_id == "country:ES"
    assert entity_of(doc, "Roma").canonical_id == "city:rome"


def test_german_nouns_are_not_names_but_titled_people_are() -> None:
    text = (
        "Die Bundesregierung hat am Montag neue Regeln für Klimaverhandlungen beschlossen. "
        "Umweltministerin Petra Lindemann sagte, Deutschland werde mehr zahlen. "
        "Kritik kam von der Opposition. Lindemann blieb gelassen."
    )
    doc = extract_entities(text, "de")
    surfaces = by_surface(doc)
    for noun in (
        "Bundesregierung",
        "Montag",
        "Regeln",
        "Klimaverhandlungen",
        "Kritik",
        "Opposition",
    ):
        assert noun not in surfaces
    assert [m.surface for m in entity_of(doc, "Petra Lindemann").mentions] == [
        "Petra Lindemann",
        "Lindemann",
    ]
    assert "Umweltministerin Petra Lindemann" not in surfaces
    assert entity_of(doc, "Deutschland").canonical_id == "country:DE"


# --- capitals that are not names -----------------------------------------------------------------


def test_sentence_initial_capitals_are_not_names() -> None:
    text = "Yesterday the council met. Several members left early. Meanwhile nothing changed."
    assert extract_entities(text, "en").entities == []


def test_title_case_headline_words_are_not_names() -> None:
    text = "Ministers Gather For Crucial Vote On Budget\n\nThe vote was postponed again."
    assert extract_entities(text, "en").entities == []


def test_headline_gets_names_confirmed_by_the_body() -> None:
    text = (
        "Draghi Warns Of Slow Growth In Europe\n\n"
        "Mario Draghi said on Friday that growth will stay weak."
    )
    doc = extract_entities(text, "en")
    person = entity_of(doc, "Mario Draghi")
    assert [m.surface for m in person.mentions] == ["Draghi", "Mario Draghi"]
    assert entity_of(doc, "Europe").canonical_id == "place:europe"
    assert "Warns" not in by_surface(doc) and "Growth" not in by_surface(doc)


def test_place_glued_to_another_capitalised_name_is_not_a_place() -> None:
    doc = extract_entities("The singer Paris Hilton arrived late.", "en")
    assert "city:paris" not in {e.canonical_id for e in doc.entities}


# --- contract -----------------------------------------------------------------------------------


def test_to_json_shape_and_storage_round_trip() -> None:
    text = "Christine Lagarde, who leads the European Central Bank, spoke in Frankfurt."
    doc = extract_entities(text, "en")
    shape = doc.to_json()
    assert set(shape) == {"entities"}
    for ent in shape["entities"]:
        assert set(ent) == {"id", "name", "type", "mentions"}
        for m in ent["mentions"]:
            assert set(m) == {"start", "end", "surface"}
            assert text[m["start"] : m["end"]] == m["surface"]
    assert DocumentEntities.from_storage(doc.to_storage()) == doc
    assert entity_of(doc, "Christine Lagarde").type == "person"


def test_language_is_detected_when_missing() -> None:
    doc = extract_entities("Il presidente della Banca centrale europea ha parlato a Francoforte.")
    assert doc.language == "it"
    assert entity_of(doc, "Banca centrale europea").canonical_id == "org:ecb"


def test_empty_and_symbol_only_texts() -> None:
    assert extract_entities("", "en").entities == []
    assert extract_entities("--- 123 !!!", None).entities == []


def test_thread_safe_and_deterministic() -> None:
    texts = [*UN_TEXTS.values()] * 4
    langs = [*UN_TEXTS] * 4
    sequential = [
        extract_entities(t, lang).to_storage() for t, lang in zip(texts, langs, strict=True)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(
            pool.map(lambda a: extract_entities(*a).to_storage(), zip(texts, langs, strict=True))
        )
    assert parallel == sequential


def test_missing_spacy_model_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Mario Draghi spoke in Frankfurt about the ECB."
    expected = extract_entities(text, "en").to_storage()
    monkeypatch.setenv("NEWSETL_SPACY_MODEL", "xx_model_that_is_not_installed")
    assert extract_entities(text, "en").to_storage() == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "전세버스가 여의도역과 KBS홀 사이를 오가며 청중을 실어나른다.",
            "ko",
        ),  # wordfreq needs MeCab
        ("東京でNATOの会議が開かれた。", "ja"),
        ("اجتمع وفد الأمم المتحدة في جنيف مع ممثلي NATO.", "ar"),
        ("Делегаты ООН встретились в Женеве с представителями России.", "ru"),
    ],
)
def test_other_scripts_never_fail_and_keep_offsets(text: str, language: str) -> None:
    doc = extract_entities(text, language)
    assert_offsets(text, doc)


def test_russian_country_name_from_the_iso_translations() -> None:
    doc = extract_entities("Делегаты встретились с представителями России и Франции.", "ru")
    # inflected forms are not in the seed: only the nominative is known
    assert extract_entities("Франция и Германия подписали договор.", "ru").entities
    assert_offsets("Делегаты встретились с представителями России и Франции.", doc)


def test_title_complement_is_not_a_person_but_a_lone_given_name_is() -> None:
    text = "After the Director of Recreation spoke, he and Lucy left the hall together."
    doc = extract_entities(text, "en")
    surfaces = by_surface(doc)
    assert "Recreation" not in surfaces and "of Recreation" not in surfaces
    assert entity_of(doc, "Lucy").type == "person"


def test_plural_possessive_inside_an_organisation_name() -> None:
    text = "Anna Berg chairs the Dock Workers' Federation, and the federation agrees."
    doc = extract_entities(text, "en")
    assert entity_of(doc, "Dock Workers' Federation").type == "organisation"
    assert_offsets(text, doc)


def test_demonym_and_title_before_a_name() -> None:
    text = "Yesterday the French President Emmanuel Macron met Chancellor Olaf Brandt in Paris."
    doc = extract_entities(text, "en")
    # "French" is a mention of its own (a nationality word, issue 13 round 3), not part of
    # the person's name
    assert by_surface(doc).keys() == {"French", "Emmanuel Macron", "Olaf Brandt", "Paris"}
    assert entity_of(doc, "French").type == "nationality"
    assert entity_of(doc, "Olaf Brandt").type == "person"
