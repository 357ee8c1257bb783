"""The curated seed: well-formed CSVs that match the tables, all countries, regeneration keeps
rows that users added."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

from newsetl.entities import seeds
from newsetl.entities.gazetteer import build_gazetteer, seed_dir


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_seed_files_match_tables_and_reference_known_entities() -> None:
    entities = read(seed_dir() / "entities.csv")
    aliases = read(seed_dir() / "entity_aliases.csv")
    assert list(entities[0]) == list(seeds.ENTITY_COLUMNS)
    assert list(aliases[0]) == list(seeds.ALIAS_COLUMNS)
    ids = {row["entity_id"] for row in entities}
    assert len(ids) == len(entities)
    assert {row["entity_id"] for row in aliases} <= ids
    assert all(row["language"] and row["alias"].strip() for row in aliases)
    countries = {i for i in ids if i.startswith("country:")}
    assert countries == {f"country:{c.alpha_2}" for c in pycountry.countries}
    for required in ("org:united-nations", "org:who", "org:imf", "org:world-bank", "org:nato",
                     "org:oecd", "org:g7", "org:g20", "org:ecb", "org:icj", "city:geneva"):  # fmt: skip
        assert required in ids


def test_regeneration_keeps_user_rows(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(
        "entity_id,name,type,source\norg:my-ngo,My NGO,organisation,user\n", encoding="utf-8"
    )
    (tmp_path / "entity_aliases.csv").write_text(
        "entity_id,alias,language,source\norg:my-ngo,Mia ONG,it,user\n", encoding="utf-8"
    )
    n_entities, n_aliases = seeds.write_seeds(tmp_path)
    entities = read(tmp_path / "entities.csv")
    aliases = read(tmp_path / "entity_aliases.csv")
    assert len(entities) == n_entities and len(aliases) == n_aliases
    assert {
        "entity_id": "org:my-ngo",
        "name": "My NGO",
        "type": "organisation",
        "source": "user",
    } in entities
    assert {
        "entity_id": "org:my-ngo",
        "alias": "Mia ONG",
        "language": "it",
        "source": "user",
    } in aliases
    # the regenerated files are what the repository ships
    assert n_entities == len(read(seed_dir() / "entities.csv")) + 1


def test_user_rows_are_used_by_the_gazetteer(tmp_path: Path) -> None:
    seeds.write_seeds(tmp_path)
    with (tmp_path / "entity_aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:my-ngo,Mia ONG,it,user\n")
    with (tmp_path / "entities.csv").open("a", encoding="utf-8") as fh:
        fh.write("org:my-ngo,My NGO,organisation,user\n")
    gaz = build_gazetteer(tmp_path, with_geonames=False)
    [alias] = gaz.lookup(("mia", "ong"))
    assert (alias.entity_id, alias.type, alias.language) == ("org:my-ngo", "organisation", "it")
