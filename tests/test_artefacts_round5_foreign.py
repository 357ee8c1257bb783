"""Untranslated-text rules added in round 5 of issue 12: each finds its artefact and leaves
its look-alike alone.

Hand-written unit cases (the evidence for the rules is the generated evaluations v2-v4, dev
splits, and the tune half of ``benchmarks/artefacts/noharm.py``, not these sentences).
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import analyse, foreign
from newsetl.artefacts.model import Analysis
from newsetl.artefacts.tokens import mask_tokens, tokenise


def foreign_words(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.kind.startswith("untranslated")]


# --- a name or an acronym before a run starts no title ------------------------------------
@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "Real estate investors based in Portugal bör följas noggrant med this year's edition.",
            "bör följas noggrant med",
        ),
        ("After two years working this way, Ibrahim mejor que pride and grit.", "mejor que"),
        ("Hinted at the incredible possibilities of AI tener nada in healthcare.", "tener nada"),
    ],
)
def test_a_name_before_a_foreign_run_starts_no_title(text: str, span: str) -> None:
    assert foreign_words(analyse(text, "en")) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "A spokesperson for Organisation des Nations unies pour l'alimentation declined to comment.",
        "According to Conseil de l'Union européenne, the numbers are provisional.",
        "A spokesperson for Reporter senza frontiere declined to comment.",
        "She recalled the film La vita è bella as a turning point.",
    ],
)
def test_titles_and_organisation_names_keep_their_wording(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_names_start_titles_in_other_text_languages() -> None:
    # Italian text quoting an English title after a given name: the title keeps its wording
    text = "Ha cantato 'Lady of a certain age' dei Divine Comedy e poi altre canzoni."
    assert "of a certain age" not in foreign_words(analyse(text, "it"))


# --- German nouns join German runs ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("The report counts die Zahl der infections in the region.", "die Zahl der"),
        ("Without Beispiel den deadline, the two sides have met.", "Beispiel den"),
    ],
)
def test_german_nouns_join_a_german_run(text: str, span: str) -> None:
    assert foreign_words(analyse(text, "en")) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "The figures were published by the Ärzte ohne Grenzen.",
        "A spokesperson for Reporter ohne Grenzen declined to comment.",
        "She recalled the album Aber das as a turning point.",
        "Researchers at the Institut für Zeitgeschichte in Munich disagreed.",
    ],
)
def test_german_names_and_titles_are_not_joined(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_german_nouns_are_joined_in_english_text_only() -> None:
    text = "Parodoje Hannover messe siunčiame auto veidrodėlius paštu į visą Lietuvą."
    tokens = tokenise(text)
    mask_tokens(text, tokens, "lt")
    runs = foreign.foreign_runs(text, tokens, "lt")
    assert all(not run.tokens[0].capitalised for run in runs)


# --- a name particle outside any name -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Video surveillance is being installed del schools around the country.", "del"),
        ("The city became a major von of colonial history.", "von"),
    ],
)
def test_a_name_particle_between_lower_case_english_words_is_foreign(text: str, word: str) -> None:
    assert foreign_words(analyse(text, "en")) == [word]


@pytest.mark.parametrize(
    "text",
    [
        "The van driver was arrested on Monday.",  # after a determiner: an English noun
        "They met in a den of thieves near the port.",
        "Ursula von der Leyen said on Monday that talks went well.",  # inside a name
        "Leonardo da Vinci painted it.",
        "The singer Lana Del Rey performed.",
    ],
)
def test_name_particles_in_names_and_english_nouns_are_left_alone(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_a_borrowed_phrase_around_a_particle_is_no_particle_rule_finding() -> None:
    # "tour de force": the neighbours are French words too (the lone "de" may still be
    # reported by the function-word detector, as before round 5)
    text = "It was a tour de force of modern design."
    tokens = tokenise(text)
    mask_tokens(text, tokens, "en")
    de = next(t for t in tokens if t.lower == "de")
    assert not foreign._loose_particle(text, tokens, de, foreign.lean_of("en")("de"))


# --- unknown words with letters English does not write ------------------------------------
@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "Courage will turn you into an agent megmaradása Men in Black, the sequel.",
            "megmaradása",
        ),
        ("She did it in a way that cselekvésben Peter would approve of.", "cselekvésben"),
    ],
)
def test_unknown_words_with_foreign_letters_are_foreign(text: str, word: str) -> None:
    assert foreign_words(analyse(text, "en")) == [word]


@pytest.mark.parametrize(
    "text",
    [
        "The chef served a jalapeño sauce with the fish.",  # a known loanword
        "Her résumés were sent to every firm in town.",  # an English word with its accents
        "He met Zoë Kravitz at the premiere in town.",  # a capitalised name
        "The new wordle craze spread fast among friends.",  # unknown, but no foreign letter
    ],
)
def test_english_words_and_names_with_accents_are_left_alone(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


# --- runs of another language's commonest words, where lingua abstains -------------------
@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("It required more than a dozen machines że sa running the same code.", "że sa"),
        ("The company said that så är the rules for everyone.", "så är"),
    ],
)
def test_a_run_of_foreign_grammar_words_is_a_phrase(text: str, span: str) -> None:
    assert foreign_words(analyse(text, "en")) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "We went there so as to be sure of it.",  # English grammar words
        "She said it was a no go area for the police.",
        "The band played at the Sala Si Ma concert hall.",  # capitalised: a name
    ],
)
def test_english_grammar_words_and_names_make_no_foreign_run(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_a_grammar_word_run_needs_english_words_around_it() -> None:
    text = "Results: że sa. Then the test ended."
    tokens = tokenise(text)
    mask_tokens(text, tokens, "en")
    runs = foreign.foreign_runs(text, tokens, "en")
    assert runs and all(foreign._function_word_run(text, tokens, r, "en") is None for r in runs)


def test_other_common_grammar_words_need_stronger_evidence() -> None:
    text = "Investors are worried est the plan fails this year."
    assert foreign_words(analyse(text, "en")) == ["est"]


@pytest.mark.parametrize(
    "text",
    [
        "The results were on par with last year.",
        "The authorities continue to pour fuel on the fire.",  # a verb slot after "to"
        "Mix the flour and pour the milk into it.",  # "pour" has an English family
    ],
)
def test_english_homographs_of_grammar_words_are_left_alone(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_a_run_of_one_languages_words_needs_no_lingua_majority() -> None:
    # lingua prefers English for "que envió dinero" (0.59); every word leans to Spanish
    text = "The ruling was made by a court that que envió dinero to the accounts."
    assert foreign_words(analyse(text, "en")) == ["que envió dinero"]


def test_a_one_language_run_needs_english_words_around_it() -> None:
    text = "Que envió dinero, said the headline."
    tokens = tokenise(text)
    mask_tokens(text, tokens, "en")
    runs = foreign.foreign_runs(text, tokens, "en")
    assert all(foreign._one_language_run(text, tokens, r, "en") is None for r in runs)


@pytest.mark.parametrize(
    "text",
    [
        "Police confirmed a police van has been damaged tonight.",  # "vans": an English noun
        "He called it the greatest con job ever perpetrated on the world.",
        "They tossed it in a trash bin near the plaza.",  # "bins" (3.4)
    ],
)
def test_particles_and_grammar_words_with_an_english_plural_are_english(text: str) -> None:
    assert foreign_words(analyse(text, "en")) == []


def test_a_lone_context_word_casts_no_vote_for_the_source_language() -> None:
    # "een" (Dutch) is reported for itself; it must not make the English "met" in "was met
    # with" a Dutch left-over ("met" = "with"), let alone a repair (noharm, round 5)
    text = (
        "It is not clear een the rules apply to everyone. "
        "The plan was met with protests in the city."
    )
    result = analyse(text, "en")
    assert foreign_words(result) == ["een"]
    assert result.repaired_text == text
    finding = next(f for f in result.findings if f.surface == "een")
    assert finding.confidence < 0.8
