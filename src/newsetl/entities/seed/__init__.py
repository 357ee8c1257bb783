"""Build-time seed data for entities: data as code, kept apart from the runtime logic.

What is here is read only when the seed CSVs are regenerated
(``python -m newsetl.entities.seed``), never while pages are analysed: the mention finder reads
the CSVs in ``warehouse/seeds`` (see :mod:`newsetl.entities.gazetteer`).

* :mod:`.curated`: country-name extras, the first institutions, the big cities' exonyms;
* :mod:`.world`: institutions, treaties, events, parties, media, companies and geography of
  world news, grouped by kind;
* :mod:`.build`: the generator (pycountry countries + the curated entries + US states), which
  keeps rows users added to the CSVs.
"""

from __future__ import annotations

from .build import SEED_DIR, curated_entries, write_seeds

__all__ = ["SEED_DIR", "curated_entries", "write_seeds"]
