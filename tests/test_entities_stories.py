"""Story clusters: two reports of one event that name different officials still make one story
when they share an actor and several places on the same day; a shared actor alone, or the same
scene days apart, does not.

All texts are written for these tests; expectations come from reading them.
"""

from __future__ import annotations

from entity_docs import documents

from newsetl.entities import extract_entities, refresh_story_clusters, store_entities

EN = (
    "European Union fisheries ministers met in Luxembourg on Tuesday. Poland and Portugal "
    "blocked the new quota deal, the Dutch delegate Joost Verhoeven told reporters."
)
IT = (
    "I ministri della pesca dell'Unione europea si sono riuniti in Lussemburgo martedì. "
    "Polonia e Portogallo hanno bloccato il nuovo accordo sulle quote, ha detto la "
    "delegata Ilaria Benedetti."
)
# the same actor in only two of those places
IT_TWO_PLACES = (
    "I ministri dell'Unione europea si sono riuniti in Lussemburgo martedì. La Polonia ha "
    "chiesto più tempo, ha detto la delegata Ilaria Benedetti."
)


def _stories(con, articles: list[tuple[str, str, str, str]]) -> dict[str, str]:
    docs = documents(articles)
    con.execute("BEGIN TRANSACTION")
    store_entities(con, docs)
    refresh_story_clusters(con)
    con.execute("COMMIT")
    return dict(con.execute("SELECT article_id, story_id FROM story_clusters").fetchall())


def _canonical(text: str, lang: str) -> set[str]:
    return {e.canonical_id for e in extract_entities(text, lang).entities if e.canonical_id}


def test_the_texts_share_one_actor_and_three_places() -> None:
    shared = _canonical(EN, "en") & _canonical(IT, "it")
    assert shared == {"org:european-union", "country:LU", "country:PL", "country:PT"}


def test_same_actor_same_places_same_day_is_one_story(con) -> None:
    stories = _stories(
        con, [("en-fish", "en", "2026-05-05T09:00", EN), ("it-pesca", "it", "2026-05-05T15:00", IT)]
    )
    assert stories.get("en-fish") is not None and stories.get("en-fish") == stories.get("it-pesca")


def test_the_same_scene_days_apart_is_not_one_story(con) -> None:
    stories = _stories(
        con, [("en-fish", "en", "2026-05-05T09:00", EN), ("it-pesca", "it", "2026-05-07T15:00", IT)]
    )
    assert stories == {}


def test_one_actor_in_two_places_is_not_enough(con) -> None:
    stories = _stories(
        con,
        [("en-fish", "en", "2026-05-05T09:00", EN),
         ("it-pesca", "it", "2026-05-05T15:00", IT_TWO_PLACES)],
    )  # fmt: skip
    assert stories == {}


EN_DANUBE = (
    "OSCE observers inspected the flood defences along the Danube in Vienna on Monday, the "
    "engineer Petra Novak told reporters."
)
DE_DONAU = (
    "Beobachter der OSZE prüften am Montag die Hochwasserdämme an der Donau in Wien, sagte der "
    "Ingenieur Lukas Brandl."
)
EN_BRUSSELS = (
    "European Union officials met in Brussels to discuss aid for Germany, said Ana Petrova."
)
DE_BRUESSEL = (
    "Vertreter der Europäischen Union berieten in Brüssel über Hilfen für Deutschland, sagte "
    "Jonas Weber."
)


def test_an_actor_on_a_river_in_a_city_is_one_story(con) -> None:
    assert _canonical(EN_DANUBE, "en") & _canonical(DE_DONAU, "de") == {
        "org:osce", "place:danube", "city:vienna",
    }  # fmt: skip
    stories = _stories(
        con,
        [("en-danube", "en", "2026-05-05T09:00", EN_DANUBE),
         ("de-donau", "de", "2026-05-05T12:00", DE_DONAU)],
    )  # fmt: skip
    assert stories.get("en-danube") is not None
    assert stories.get("en-danube") == stories.get("de-donau")


def test_an_actor_in_a_capital_and_a_country_is_not_enough(con) -> None:
    assert _canonical(EN_BRUSSELS, "en") & _canonical(DE_BRUESSEL, "de") == {
        "org:european-union", "city:brussels", "country:DE",
    }  # fmt: skip
    stories = _stories(
        con,
        [("en-eu", "en", "2026-05-05T09:00", EN_BRUSSELS),
         ("de-eu", "de", "2026-05-05T12:00", DE_BRUESSEL)],
    )  # fmt: skip
    assert stories == {}
