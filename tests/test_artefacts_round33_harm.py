"""Round 33: repairs that changed correct English are reported, not applied.

Each damaging sentence was written for this round (last session's audit measured them); the
true artefacts each rule exists for are checked next to them, with the status they keep.
"""

from __future__ import annotations

import pytest

from newsetl.artefacts import APPLIED, FLAGGED, Analysis, analyse
from newsetl.translate import translator_from_settings

#: A page with an hreflang alternate: the worst case, a sign that the text is a translation.
HINT = {"it": "https://example.org/it/"}


def applied(result: Analysis) -> list[str]:
    return [f.surface for f in result.findings if f.status == APPLIED]


def statuses(result: Analysis, kind: str) -> list[tuple[str, str]]:
    return [(f.surface, f.status) for f in result.findings if f.kind == kind]


def glossary():  # the bundled glossary and translation memory, offline
    return translator_from_settings({"NEWSETL_TRANSLATOR": "none"})


# --- a word the text mentions is not used: reported --------------------------------------
@pytest.mark.parametrize("alternates", [None, HINT])
@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("The word e means and in Italian.", "e"),
        ("In Italy the offence is called riciclaggio di denaro and carries long terms.", None),
        ("Prosecutors used the term riciclaggio di denaro in the indictment.", None),
    ],
)
def test_a_mentioned_word_is_reported_not_applied(
    text: str, surface: str | None, alternates: dict | None
) -> None:
    result = analyse(text, "en", alternates=alternates, translator=glossary())
    assert result.findings, "still reported"
    assert applied(result) == []
    assert result.repaired_text == text


def test_untranslated_phrase_in_running_text_is_still_applied() -> None:
    text = "He faces charges of fraud and riciclaggio di denaro in the northern city."
    result = analyse(text, "en", translator=glossary())
    assert statuses(result, "untranslated_span") == [("riciclaggio di denaro", APPLIED)]
    assert "money laundering" in result.repaired_text


def test_left_over_conjunction_is_still_applied() -> None:
    result = analyse("The report relies on evidence e data from the ministry.", "en")
    assert statuses(result, "untranslated_function_word") == [("e", APPLIED)]


# --- locative "There" ----------------------------------------------------------------------
@pytest.mark.parametrize("alternates", [None, HINT])
@pytest.mark.parametrize(
    "text",
    [
        "We drove north to the border. There Germany ends and Denmark begins.",
        "The ball went to the far post. There Jordan scored his second goal.",
        "Look at the eastern front. There Russia's advance has stalled.",
    ],
)
def test_locative_there_before_a_name_is_not_applied(text: str, alternates: dict | None) -> None:
    result = analyse(text, "en", alternates=alternates)
    assert applied(result) == []
    assert result.repaired_text == text


def test_locative_there_is_still_reported_after_a_place() -> None:
    text = "We drove north to the border. There Germany ends and Denmark begins."
    assert statuses(analyse(text, "en"), "calque_article") == [("There Germany", FLAGGED)]


@pytest.mark.parametrize(
    "text",
    [
        "There Russia has announced new sanctions against the country.",
        "THE'Iran has rejected the offer. There Russia has criticised the plan.",
        "Talks began on Monday. There Russia has announced new sanctions.",
    ],
)
def test_there_calque_without_a_place_before_is_still_applied(text: str) -> None:
    result = analyse(text, "en")
    assert statuses(result, "calque_article") == [("There Russia", APPLIED)]
    assert "There" not in result.repaired_text


# --- false friends next to the right term ------------------------------------------------
@pytest.mark.parametrize("alternates", [None, HINT])
@pytest.mark.parametrize(
    "text",
    [
        "The riots were a manifestation of deep anger. Thousands joined the demonstrations.",
        "The library opened in 1901. Across the street, a small bookshop sells maps.",
        "Nurses assisted the surgeon during the operation. Hundreds attended the ceremony.",
        "He studied the treatise of Grotius for years. The treaty was signed in 1648.",
        "Parents of the victims gathered outside the court. Relatives of the suspects stayed.",
        "The camera of the drone recorded everything. The upper chamber will vote on Tuesday.",
        "The actual government figures were higher. The current account deficit widened.",
        "The team switched formation at half-time. Players get training every day.",
    ],
)
def test_false_friend_beside_the_right_term_is_not_applied(
    text: str, alternates: dict | None
) -> None:
    result = analyse(text, "en", alternates=alternates)
    assert applied(result) == []
    assert result.repaired_text == text


def test_false_friend_alone_is_reported_with_its_repair() -> None:
    text = "The library opened in 1901. Across the street, a small bookshop sells maps."
    assert statuses(analyse(text, "en"), "false_friend") == [("library", FLAGGED)]


@pytest.mark.parametrize(
    "text",
    [
        # another trace of machine translation in the same text: a calque, a conjunction
        "There Russia signed a treaty in Rome. This treatise ends the war.",
        "The two countries signed a treaty on evidence e data. This treatise ends the war.",
    ],
)
def test_treatise_in_machine_translated_text_is_still_applied(text: str) -> None:
    result = analyse(text, "en")
    assert statuses(result, "false_friend") == [("treatise", APPLIED)]
    assert "This treaty ends the war." in result.repaired_text


def test_treatise_without_another_trace_is_still_found() -> None:
    text = "The two countries signed a treaty in Rome. This treatise ends the war."
    assert statuses(analyse(text, "en"), "false_friend") == [("treatise", FLAGGED)]


# --- names written in camel case, with a dot, or doubled: a page with a translation sign ---
@pytest.mark.parametrize(
    "text",
    [
        "The drug was developed by inVentiv Health, a consultancy.",
        "Shares of toGo Ltd rose sharply on Monday.",
        "Open the file readme.Txt before installing.",
        "The band The The released a new album.",
        "Visitors flocked to theSeaquarium on Sunday.",
    ],
)
def test_names_are_not_split_on_a_page_with_a_translation_sign(text: str) -> None:
    result = analyse(text, "en", alternates=HINT)
    assert result.findings, "still reported"
    assert applied(result) == []
    assert result.repaired_text == text


@pytest.mark.parametrize(
    ("text", "surface", "repaired"),
    [
        (
            "The resolution was adopted by theUnited Nations on Monday.",
            "theUnited",
            "The resolution was adopted by the United Nations on Monday.",
        ),
        ("He spoke toThe Guardian yesterday.", "toThe", "He spoke to The Guardian yesterday."),
        (
            "Visitors flocked to theSeaquarium on Sunday. The Seaquarium opened in 1955.",
            "theSeaquarium",
            "Visitors flocked to the Seaquarium on Sunday. The Seaquarium opened in 1955.",
        ),
        (
            "Prices fell in bonds.The market rallied later.",
            "bonds.The",
            "Prices fell in bonds. The market rallied later.",
        ),
        (
            "Aid reached the the villages in the north.",
            "the the",
            "Aid reached the villages in the north.",
        ),
    ],
)
def test_fused_words_are_still_applied_on_a_translated_page(
    text: str, surface: str, repaired: str
) -> None:
    result = analyse(text, "en", alternates=HINT)
    assert [f.surface for f in result.findings if f.status == APPLIED] == [surface]
    assert result.repaired_text == repaired


# --- found by the no-harm check with a translation sign (noharm_signal.py) on real text ----
@pytest.mark.parametrize(
    "text",
    [
        # a module's names, a call (trafilatura-eval pages)
        "This says that stuff.Stuffinator and stuff.Stuffinatrix are the public parts.",
        "And you then tried this: mybar = mod.Bar() in another module.",
        # English "con" (fundus and trafilatura-eval pages)
        "He called climate change the greatest con job ever perpetrated on the world.",
        "SMS messages add urgency and personalization to con the contacts to open them.",
        # "-ing" with its "g" dropped (a joke page)
        "What do you call a nun who sleepwalks? A roamin' Catholic.",
        # a full name beside a longer place name, a camel-case name (real pages' tables)
        "Members: Andrew Bridgen (North West Leicestershire) and Madeleine Moon (Bridgend).",
        "Conferences such as RustConf, Rust Belt Rust, RustCon Asia, and more.",
    ],
)
def test_real_text_with_a_translation_sign_is_left_as_written(text: str) -> None:
    result = analyse(text, "en", alternates=HINT)
    assert applied(result) == []
    assert result.repaired_text == text


def test_a_table_cell_is_not_translated() -> None:
    class AnswersEverything:
        name = "answers-everything"

        def translate(self, text: str, source: str, target: str) -> str:
            return f"<{target}:{text}>"

    text = "| その時に | sono toki ni | at that moment |\n| 落ち着く | ochitsuku | calm down |"
    result = analyse(text, "en", alternates=HINT, translator=AnswersEverything())
    assert applied(result) == []


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        (
            "Journal of Economics, 2001. Regression discontinuity designs: a guide to practice. "
            "J Econom. 2008;142:615-35. Studies in Economics.",
            "Econom",
        ),
        (
            "Pediatric shock. Pediatrics 2001. A case induced by minocycline. "
            "Pediatr Crit Care Med. 2010;11(4):e38-43.",
            "Pediatr",
        ),
    ],
)
def test_journal_abbreviation_is_no_cut_name(text: str, cut: str) -> None:
    result = analyse(text, "en", alternates=HINT)
    assert statuses(result, "truncated_name") == [(cut, FLAGGED)]


def test_cut_name_on_a_translated_page_is_still_applied() -> None:
    text = "Karim Mebarki was detained in Milan. Police later arrested Mebark."
    result = analyse(text, "en", alternates=HINT)
    assert statuses(result, "truncated_name") == [("Mebark", APPLIED)]


def test_recipe_steps_joined_are_still_separated_on_a_translated_page() -> None:
    text = "Read the instructions.Add the honey and stir."
    result = analyse(text, "en", alternates=HINT)
    assert result.repaired_text == "Read the instructions. Add the honey and stir."


@pytest.mark.parametrize(
    "text",
    [
        # a URI's scheme and "-ing" without its "g" (UD English EWT: e-mails, web questions)
        "Email: recruiters@example.com <mailto:recruiters@example.com> Phone: 216-292-2855",
        "Help findin a restaurant for anniversary in SF?",
    ],
)
def test_web_text_with_a_translation_sign_is_left_as_written(text: str) -> None:
    result = analyse(text, "en", alternates=HINT)
    assert applied(result) == []
    assert result.repaired_text == text


def test_words_fused_with_of_and_in_are_still_separated_on_a_translated_page() -> None:
    text = "He is a memberof the lab. Organizers gatheredin August."
    result = analyse(text, "en", alternates=HINT)
    assert result.repaired_text == "He is a member of the lab. Organizers gathered in August."


# --- other languages with a translation sign (noharm.py --signal on clean text) -----------
class _AnswersEverything:
    name = "answers-everything"

    def translate(self, text: str, source: str, target: str) -> str:
        return f"<{target}:{text}>"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # English phrases other languages use on purpose (trafilatura-eval, lingua-py)
        ("Die Sauna ist heiß. As you wish – Wünsche werden hier wirklich viele erfüllt!", "de"),
        ("Er schreibt viel. By the way – eine Erhöhung des Beitrags ist nicht geplant.", "de"),
        ("Aranjamentele suna ca muzica from above, spune criticul in revista.", "ro"),
        # doubled on purpose: Norwegian, Hungarian, a German list's "und und", a refrain
        ("Jeg hadde ikke tenkt på at det var det det kunne være, men jeg følte meg tung.", "nb"),
        ("Jelenleg minden, amit kipakolok a standomra, az az én munkám, és azért felelek.", "hu"),
        ("Er mag PC, Tiere, Pflanzen, Kochen, Auto, Sport und und, so kann er wählen.", "de"),
        ("Ich zog ihn raus. Aber aber aber irgendwann hat man als Zuschauer genug.", "de"),
    ],
)
def test_clean_text_of_other_languages_with_an_english_alternate_is_left(
    text: str, language: str
) -> None:
    result = analyse(
        text,
        language,
        alternates={"en": "https://example.org/en/"},
        translator=_AnswersEverything(),
    )
    assert applied(result) == []
    assert result.repaired_text == text


def test_doubled_preposition_is_still_removed_on_a_translated_german_page() -> None:
    text = "Ich hatte ein Gespräch mit mit dem Trainer."
    result = analyse(text, "de", alternates={"en": "https://example.org/en/"})
    assert result.repaired_text == "Ich hatte ein Gespräch mit dem Trainer."


def test_italian_phrase_on_an_italian_alternate_page_is_still_applied() -> None:
    text = "Prosecutors opened a case for corruzione in atti giudiziari last spring."
    result = analyse(text, "en", alternates=HINT, translator=_AnswersEverything())
    assert statuses(result, "untranslated_span") == [("corruzione in atti giudiziari", APPLIED)]


# --- BBC News 2004 with a translation sign (noharm_signal.py's bbc-2004 corpus) -------------
@pytest.mark.parametrize(
    "text",
    [
        # names ending like a fused preposition, with no noun phrase after them
        "He had an even better chance after Hartson dispossessed Kyrgiakos and sent a cross.",
        "Cars also jumped in January, but Shepherdson said it is a good bet.",
        "There was me and Ato (Boldon) in the young crowd, Greene said.",
        "She cleared 4.89 metres in Lievin on Saturday.",
        "Paul Goosens, head of Preventon told the BBC News website.",
        "Hartson pounced late. Then Hartson foxed Vignal at the edge of the Rangers box.",
        "She pulled out of meets in Madrid and Lievin this week. Lievin is in France.",
        "This is the stuff of nightmares. Add to this this new legislation on the web.",
        # a verb's preposition before a phrase that starts with the same one; a unit
        "It is the moment I've been waiting for for years, said Moya.",
        "It is not easy after the situation that we've been placed in in the past year.",
        "Images 7x5in and 8x10in in size were cheaper to produce at home.",
        # English slang lingua calls Italian; an HTML entity left in a name
        "They did not disappear up their own muso posteriors. The band started out small.",
        "Rooney went crazy in the Bernabeu. He se volvi loco en el Bernab&#233;u again.",
    ],
)
def test_bbc_news_with_a_translation_sign_is_left_as_written(text: str) -> None:
    result = analyse(text, "en", alternates=HINT, translator=_AnswersEverything())
    assert applied(result) == []
    assert result.repaired_text == text


def test_fused_prepositions_before_their_noun_phrase_are_still_separated() -> None:
    text = "Organizers gatheredin August. The pound will fallto $ 2.00 soon."
    result = analyse(text, "en", alternates=HINT)
    assert (
        result.repaired_text == "Organizers gathered in August. The pound will fall to $ 2.00 soon."
    )
