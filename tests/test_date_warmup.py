"""The fork server of a run that recycles its workers loads htmldate's date parser (every
dateparser locale) once, for all its workers (:mod:`newsetl._warm_dates`), and that changes no
date.

Each check runs in a fresh interpreter: what is loaded is per process, as in the pool."""

from __future__ import annotations

import json
import subprocess
import sys

from newsetl.settings import Settings
from newsetl.workers import (
    WARM_DATES_MODULE,
    WARM_EXTRACTION_MODULE,
    WARM_MODULE,
    preload_modules,
)

#: Dates in several languages, and strings no locale parses (those make dateparser try, and
#: so load, every locale): the order is the same in both processes compared.
STRINGS = [
    "12 mars 2021",
    "3. Oktober 2019",
    "martes 4 de mayo de 2021",
    "30 listopada 2020",
    "4 травня 2020",
    "no date here 77",
    "2021-03-04",
    "Zaterdag 4 mei 2019",
    "14 de Março de 2008",
    "xx 31 yy",
]


def _python(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _dates(warm: bool) -> dict:
    return _python(
        f"""
import json
from htmldate.extractors import external_date_parser
if {warm}:
    from newsetl.dates import warm_date_parser
    warm_date_parser()
print(json.dumps({{"dates": [external_date_parser(s, "%Y-%m-%d") for s in {STRINGS!r}]}}))
"""
    )


def test_only_a_run_longer_than_a_generation_preloads_the_date_parser() -> None:
    settings = Settings(recycle_workers_pages=250)
    assert preload_modules(settings, 181) == [WARM_MODULE]  # the Zyte pages
    assert preload_modules(settings, 250) == [WARM_MODULE]
    assert preload_modules(settings, 251) == [WARM_MODULE, WARM_DATES_MODULE]
    spine = Settings(recycle_workers_pages=250, repair=False, entities=False)
    assert preload_modules(spine, 5000) == [WARM_EXTRACTION_MODULE, WARM_DATES_MODULE]
    never = Settings(recycle_workers_pages=0)  # no recycling: one generation, however long
    assert preload_modules(never, 50_000) == [WARM_MODULE]


def test_fork_server_date_module_loads_every_date_locale_and_remembers_none() -> None:
    found = _python(
        f"import {WARM_DATES_MODULE}  # as the fork server imports it\n"
        """
import json
from dateparser.languages.loader import default_loader
from htmldate.extractors import get_external_parser
parser = get_external_parser()
print(json.dumps({
    "loaded": len(default_loader._loaded_locales),
    "known": len(default_loader.get_locale_map()),
    "previous": len(parser.previous_locales or ()),
}))
"""
    )
    assert found["known"] > 100
    assert found["loaded"] == found["known"]
    assert found["previous"] == 0  # nothing the next date would be parsed with first


def test_warm_date_parser_changes_no_date() -> None:
    cold, warm = _dates(False)["dates"], _dates(True)["dates"]
    assert warm == cold
    assert None in cold and len({d for d in cold if d}) >= 5  # parsed and unparsed both met
