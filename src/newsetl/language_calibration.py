"""Calibration of :mod:`newsetl.language` (data as code: numbers, no logic).

Written by ``benchmarks/metadata/language_calibration.py fit``; do not edit by hand. Fitted on the
dev split (22500 texts, --per 150).
"""

#: langdetect's weight in the product of experts (newsetl.language.combine), at full length
LANGDETECT_WEIGHT = 2.0
#: added to langdetect's probability before the log (bounds its veto)
LANGDETECT_EPS = 0.05
#: langdetect's "probability" for a language it does not know
UNKNOWN_TO_LANGDETECT = 0.05
#: characters at which langdetect's weight is full (it grows linearly up to here)
FULL_WEIGHT_CHARS = 200
#: the highest confidence ever given: the calibration data (short sentences and word pairs)
#: cannot show an error rate below 1 in 1000, so no text is claimed to be surer than that
CONFIDENCE_CAP = 0.999
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
INTERCEPT = 1.971325
COEFFICIENTS = (-0.220155, -0.278526, 0.536035, 0.895077, -0.010013, -0.422125)
