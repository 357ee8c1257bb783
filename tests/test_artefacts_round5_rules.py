"""Rules added in round 5 of issue 12 (names, capitals, calques, spacing): each finds its
artefact and leaves its look-alike alone.

Hand-written unit cases (the evidence for the rules is the dev splits of the generated
evaluations v2-v4 and the tune half of ``benchmarks/artefacts/noharm.py``, not these
sentences): every rule that finds more has a look-alike it must leave alone, and every rule
that removes false flags has a case where the artefact is still found.
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse, rules
from newsetl.artefacts.model import Analysis
from newsetl.artefacts.tokens import tokenise


def found(result: Analysis, kind: str) -> list[str]:
    return [f.surface for f in result.findings if f.kind == kind]


# --- translated surnames: a person context stands in for an institution noun's ending -----
@pytest.mark.parametrize(
    "text",
    [
        "Rates will stay high. The remarks were confirmed by Emma Legislature, an official.",
        "Rates will stay high, the bank's spokeswoman Emma Legislature told reporters.",
        "Rates will stay high, according to Emma Legislature, the ministry's chief economist.",
    ],
)
def test_institution_noun_surname_of_a_person_is_reported(text: str) -> None:
    assert found(analyse(text, "en"), "translated_name") == ["Legislature"]


@pytest.mark.parametrize(
    "text",
    [
        # an event and a firm after a given name: no role, no person
        "It’s the 2024 Brit Awards, a chance for the music business to celebrate.",
        "She studied at Howard University, the historically Black university in Washington.",
        # an institution noun after a given name with no person context
        "Tickets for Emma Legislature went on sale on Monday in the old town hall.",
        # a person context alone is no evidence: English words are real surnames
        "Stephanie Lay said she found the piles of letters in the attic.",
        "The review, by writer Jennifer Senior, appeared on Sunday.",
    ],
)
def test_given_name_and_common_word_without_evidence_is_no_translated_name(text: str) -> None:
    assert found(analyse(text, "en"), "translated_name") == []


# --- cut names: the document's own full form ----------------------------------------------
def test_three_letter_cut_of_a_document_name_is_reported() -> None:
    text = (
        "Most of the work at Mozilla went into Python tooling this year. We had to spend "
        "extra effort to get Pyt 3.5 and 3.6 working as well as 3.7."
    )
    result = analyse(text, "en")
    assert found(result, "truncated_name") == ["Pyt"]
    assert [f.replacement for f in result.findings if f.kind == "truncated_name"] == ["Python"]


@pytest.mark.parametrize(
    "text",
    [
        # an abbreviation with its dot
        "The General Assembly met today. Gen. Smith spoke first about the budget.",
        # a split word of a broken page, not a cut name
        "NASA picked Artemis landers. Three other ideas join its Arte mis moon program.",
        # a spelling variant one letter apart that the language writes more often
        "Volodymyr Zelenskyy spoke on Monday. Later President Volodymyr Zelensky said more.",
        # two people whose names share a start
        "Signed by Katie Porter and by the author Kati Marton, among many others.",
    ],
)
def test_cut_name_look_alikes(text: str) -> None:
    assert found(analyse(text, "en"), "truncated_name") == []


def test_a_title_cut_before_a_name_is_reported_and_a_demonym_pair_is_not() -> None:
    text = (
        "It was signed by Sultan Haitham bin Tarik, the successor of Sult Qaboos, who died "
        "the same year."
    )
    assert found(analyse(text, "en"), "truncated_name") == ["Sult"]
    text = "Kenyan officials met on Friday. Kenya has said little since the vote in Nairobi."
    assert found(analyse(text, "en"), "truncated_name") == []


def test_cut_name_is_not_read_as_glued_to() -> None:
    text = (
        "The narrative is that Clanton was framed. The video shows her introducing Clanto "
        "to the members as her special guest."
    )
    result = analyse(text, "en")
    assert found(result, "glued_tokens") == []
    assert found(result, "truncated_name") == ["Clanto"]


# --- capitalisation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("The Party attempted to Overthrow the Bavarian government.", "Overthrow"),
        ("A political meeting in China that could Pave the way for growth.", "Pave"),
        ("Gag orders were overturned in other cases, as he Sought in the case.", "Sought"),
        ("I didn’t have a second source for Many things, she said.", "Many"),
        ("Oh well, as Long as he answers my questions properly now.", "Long"),
        ("Burke was stopped, and Chong scored From close range.", "From"),
        ("The importers do, and They’re usually U.S. companies.", "They’re"),
    ],
)
def test_capitalised_word_no_name_can_be(text: str, word: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == [word]


@pytest.mark.parametrize(
    "text",
    [
        "Most of them flew to Paris on Monday and to Harvard in June.",  # places and names
        "Monica told the queer Web site Them that it was hard.",  # a title after a work noun
        "The orchestra played the song Also sprach Zarathustra at the start.",
        "According to Programme des Nations unies pour l'environnement, it rose.",
        "Her brother told Will that the meeting was off.",  # "Will" as a given name
        "The firm sold to Target and to Walmart last year.",  # a brand
    ],
)
def test_capitalisation_look_alikes(text: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == []


def test_capitals_inside_a_sentence_in_another_language_are_not_artefacts() -> None:
    text = (
        "The essay asks a hard question about progress in firms. Er fragte sich, als er sich "
        "mit der Frage beschäftigte, was eigentlich Innovation ist und wie sie entsteht."
    )
    assert found(analyse(text, "en"), "capitalisation") == []


# --- calqued articles ---------------------------------------------------------------------
def test_there_before_a_demonym_is_a_calque() -> None:
    text = "Leaders met in the capital. There Grenadian leader and his colleagues spoke."
    assert found(analyse(text, "en"), "calque_article") == ["There Grenadian"]
    assert rules._demonym_adjective("grenadian")
    assert not rules._demonym_adjective("guardian")


def test_he_before_a_short_foreign_word_is_no_calque() -> None:
    text = "According to the Times, he was hurt. He du not expected to cooperate against them."
    assert found(analyse(text, "en"), "calque_article") == []


# --- glued tokens: reference lists and addresses ------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "29. Dimick JB andRyan AM . Methods for evaluating changes in health care policy.",
        "Es gibt Onlineforen wie kleinwindanlagen.de und dasWindrad.de, wo Selbstbauer schreiben.",
    ],
)
def test_glued_look_alikes_in_web_pages(text: str) -> None:
    lang = "de" if "Es gibt" in text else "en"
    assert found(analyse(text, lang), "glued_tokens") == []


def test_glued_name_before_an_abbreviation_is_still_found() -> None:
    text = "A spokesman for the Administrative Office of theU.S. Courts replied on Monday."
    assert found(analyse(text, "en"), "glued_tokens") == ["theU"]


@pytest.mark.parametrize(
    ("text", "glued"),
    [
        (
            "We won the Olympic bid that brought the Olympicsto London, and it paid off.",
            "Olympicsto",
        ),
        ("He enrolled in a training course in the Air Forcein May 2020.", "Forcein"),
    ],
)
def test_common_word_glued_to_in_or_to_before_a_name(text: str, glued: str) -> None:
    assert found(analyse(text, "en"), "glued_tokens") == [glued]


def test_surnames_ending_like_a_glued_word_stay_names() -> None:
    text = "The award went to Talorie Crafton and to Ben Franklin of the Brighton Museum."
    assert found(analyse(text, "en"), "glued_tokens") == []


@pytest.mark.parametrize(
    ("text", "glued"),
    [
        ("It hopes for a resolution of theUS-China trade impasse this year.", "theUS-China"),
        (
            "Q: In reading theSportsBusiness Journal, it was noted that you left.",
            "theSportsBusiness",
        ),
    ],
)
def test_glued_compound_and_camel_case_names(text: str, glued: str) -> None:
    assert found(analyse(text, "en"), "glued_tokens") == [glued]


def test_camel_case_brand_is_no_glued_word() -> None:
    text = "She posted it on YouTube and on easyJet's site, then used macOS to edit it."
    assert found(analyse(text, "en"), "glued_tokens") == []


# --- from the v5 dev split (English news carriers) ----------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("It was held in Canada where U.N. aviation leaders Were gathering to discuss it.", "Were"),
        ("A few women are pushed Beyond the time when they can receive care.", "Beyond"),
        ("Many people might think that's exactly What he should do next.", "What"),
    ],
)
def test_capitalised_auxiliaries_wh_words_and_prepositions(text: str, word: str) -> None:
    assert found(analyse(text, "en"), "capitalisation") == [word]


@pytest.mark.parametrize(
    ("text", "calque"),
    [
        ("Talks stalled. There NEA also published a video explaining the plan.", "There NEA"),
        (
            'The Taliban have refused. "He parties are closer than ever to a deal," he said.',
            "He parties",
        ),
        ("It fought a war in 1979. The China claims sovereignty over all of the sea.", "The China"),
    ],
)
def test_calques_from_v5_dev(text: str, calque: str) -> None:
    assert found(analyse(text, "en"), "calque_article") == [calque]


def test_calque_look_alikes_from_v5_dev() -> None:
    text = "Markets rose. The China Daily reports that exports grew. There Smith scored twice."
    assert found(analyse(text, "en"), "calque_article") == []


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        (
            "The outlawed Pakistani Taliban group is responsible for attacking Pakist military "
            "and civilian targets, the Pakistani army said.",
            "Pakist",
        ),
        (
            "The Indian National Congress won. It has done the same in Madhya Pradesh, the Congres said.",
            "Congres",
        ),
    ],
)
def test_cut_demonym_and_cut_double_s_word(text: str, cut: str) -> None:
    assert found(analyse(text, "en"), "truncated_name") == [cut]


def test_translated_surname_after_a_double_given_name() -> None:
    text = "Prices rose again. The remarks were confirmed by Hans-Albert Improvements, an official."
    assert found(analyse(text, "en"), "translated_name") == ["Improvements"]
    text = "Prices rose again. The remarks were confirmed by Jean-Pierre Raffarin, an official."
    assert found(analyse(text, "en"), "translated_name") == []


# --- hostile text: one very long word -------------------------------------------------------
def test_glued_suffix_scan_finds_the_same_words_from_the_start_of_a_lower_case_run() -> None:
    """The glued-ending scan starts a lower-case match only where a run of lower-case letters
    starts (a 200,000-letter word took 425 s of CPU when every letter was a start): words
    glued inside a mixed-case token are still found, and one huge word is read at once."""
    text = "It was aDonaldsand the morbidityand that the Thunbergto story showed."
    tokens = [t.text for t in rules._glue_suspects(text, tokenise(text), "en")]
    assert tokens == ["aDonaldsand", "morbidityand", "Thunbergto"]
    assert analyse("a" * 200_000, "en").findings == []
