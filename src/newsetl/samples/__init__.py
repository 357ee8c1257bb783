"""The bundled multilingual sample corpus: a small fictional news site shipped as package data.

Why it exists: ``newsetl ingest`` must work offline on a fresh machine, and the test suite needs
pages whose machine-translation artefacts and entities are known in advance (``MANIFEST.json``).
Every absolute URL in the site uses :data:`SAMPLE_BASE_URL`; a local server rewrites it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The base every absolute URL inside the sample site uses (rewritten by test servers).
SAMPLE_BASE_URL = "https://news.newsetl.example"

#: Root directory of the fake website (index.html, feeds, sitemaps, article pages).
SAMPLE_SITE: Path = Path(__file__).resolve().parent / "site"

#: Per-page ground truth: language, translation_of, injected artefacts, entities.
SAMPLE_MANIFEST: Path = SAMPLE_SITE / "MANIFEST.json"


def sample_pages() -> list[Path]:
    """The article HTML files (not the homepage), sorted by path for stable ordering."""
    return sorted(p for p in SAMPLE_SITE.glob("*/2*/*/*.html") if p.is_file())


def load_manifest() -> dict[str, Any]:
    """Parsed ``MANIFEST.json``: ``{"base_url", "artefact_kinds", "pages": [...]}``."""
    return json.loads(SAMPLE_MANIFEST.read_text(encoding="utf-8"))
