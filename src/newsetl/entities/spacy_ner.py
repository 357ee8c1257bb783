"""Optional spaCy NER, used only when ``NEWSETL_SPACY_MODEL`` names an installed spaCy model.

Why optional: models are separate downloads and the pipeline must run offline on what PyPI ships.
When a model *is* installed (for example as a wheel in the environment), its PERSON / ORG / GPE /
LOC / EVENT / LAW spans become extra candidates for words the gazetteer did not claim. Nothing is
ever downloaded here; a missing spaCy or model simply yields no spans.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from newsetl.settings import Settings

log = logging.getLogger(__name__)

ENV_VAR = "NEWSETL_SPACY_MODEL"
LABELS = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "EVENT": "event",
    "LAW": "law",
}

_lock = threading.Lock()
_models: dict[str, Any] = {}


def _model(name: str) -> Any:
    if name not in _models:
        try:
            import spacy

            _models[name] = spacy.load(name, disable=["parser", "lemmatizer", "textcat"])
        except Exception as exc:  # not installed, wrong name, incompatible version
            log.warning("spaCy model %r unavailable (%s); continuing without it", name, exc)
            _models[name] = None
    return _models[name]


def spacy_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, our type) for the named entities a configured spaCy model finds."""
    name = str(Settings.field_from_env("spacy_model")).strip()
    if not name or not text:
        return []
    with _lock:  # spaCy pipelines are not documented as thread-safe
        nlp = _model(name)
        if nlp is None:
            return []
        doc = nlp(text)
    return [(e.start_char, e.end_char, LABELS[e.label_]) for e in doc.ents if e.label_ in LABELS]
