"""Calibration of :mod:`newsetl.language` (data as code: numbers, no logic).

Written by ``benchmarks/metadata/language_calibration.py fit``; do not edit by hand. Provisional
values until the first fit.
"""

#: langdetect's share when mixing its probabilities with lingua's
LANGDETECT_WEIGHT = 0.5
#: languages langdetect knows (lingua's codes: zh-cn/zh-tw -> zh, no -> nb)
LANGDETECT_LANGUAGES = frozenset(
    [
        "af",
        "ar",
        "bg",
        "bn",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fa",
        "fi",
        "fr",
        "gu",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "kn",
        "ko",
        "lt",
        "lv",
        "mk",
        "ml",
        "mr",
        "nb",
        "ne",
        "nl",
        "pa",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "so",
        "sq",
        "sv",
        "sw",
        "ta",
        "te",
        "th",
        "tl",
        "tr",
        "uk",
        "ur",
        "vi",
        "zh",
    ]
)
#: logistic model: intercept and coefficients of (logit p1, logit p2, agree, logit lingua(top),
#: logit langdetect(top), log1p(characters))
INTERCEPT = 0.0
COEFFICIENTS = (1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
