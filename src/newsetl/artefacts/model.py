"""Result types shared by the detectors, the CLI and the warehouse loader.

They are plain frozen/simple dataclasses so that the ingest flow can serialise them without
knowing how they were produced, and so that a finding can be compared in tests by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Statuses a finding can carry (the warehouse ``artefacts.status`` column).
APPLIED = "applied"  # the replacement is used in the repaired text
PENDING = "pending"  # needs a translation that no available translator could provide
FLAGGED = "flagged"  # reported only: confidence too low to touch the text, or no replacement

KINDS = (
    "untranslated_span",
    "untranslated_function_word",
    "calque_elided_article",
    "calque_article",
    "glued_tokens",
    "false_friend",
    "capitalisation",
    "truncated_name",
    "duplicated_word",
    "missing_space",
    "translated_name",
)


@dataclass(frozen=True)
class Finding:
    """One machine-translation artefact found in an extracted text.

    ``start``/``end`` index the analysed input text (not the repaired text), so a finding stays
    valid whatever else was repaired and the repair can be replayed or reverted.
    """

    kind: str
    start: int
    end: int
    surface: str
    replacement: str | None
    source_language: str | None
    confidence: float
    detector: str
    status: str = FLAGGED

    def to_json(self) -> dict:
        """The CLI/JSON shape of a finding (plus ``status``)."""
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            "replacement": self.replacement,
            "source_language": self.source_language,
            "confidence": round(self.confidence, 3),
            "detector": self.detector,
            "status": self.status,
        }


@dataclass
class Analysis:
    """Everything ``analyse`` learnt about one text."""

    language: str | None
    source_language: str | None
    findings: list[Finding]
    text: str
    repaired_text: str
    language_spans: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """The ``newsetl repair --json`` shape; ``text`` is the repaired text."""
        return {
            "language": self.language,
            "source_language": self.source_language,
            "findings": [f.to_json() for f in self.findings],
            "text": self.repaired_text,
        }


def apply_findings(text: str, findings: list[Finding]) -> str:
    """Rebuild the repaired text from ``text`` and the findings whose status is ``applied``.

    Why a separate pure function: repairs must be reversible and auditable, so the repaired
    text is never edited in place; it is always derived from the original plus the audit trail
    (the same rows the warehouse stores). Overlapping applied findings keep the first one.
    """
    out: list[str] = []
    pos = 0
    for f in sorted((f for f in findings if f.status == APPLIED), key=lambda f: f.start):
        if f.start < pos or f.replacement is None:
            continue
        out.append(text[pos : f.start])
        out.append(f.replacement)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
