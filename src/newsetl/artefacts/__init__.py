"""Detect and repair machine-translation artefacts, with an audit trail (newsetl issue 3).

``analyse(text, language)`` returns an :class:`Analysis`: the findings (kind, offsets into
the input, surface, replacement, source language, confidence, detector, status), the language
the text was most likely translated from, a map of spans in other languages, and the repaired
text derived from the input plus the applied findings only.
"""

from .core import analyse, infer_source_language, warm_up
from .model import APPLIED, FLAGGED, KINDS, PENDING, Analysis, Finding, apply_findings

__all__ = [
    "APPLIED",
    "FLAGGED",
    "KINDS",
    "PENDING",
    "Analysis",
    "Finding",
    "analyse",
    "apply_findings",
    "infer_source_language",
    "warm_up",
]
