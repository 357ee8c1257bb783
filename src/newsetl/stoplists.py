"""The union of justext's stoplists, as trafilatura's justext fallback uses it, from the disk
cache (:mod:`newsetl.cache`).

Why: trafilatura falls back to justext on some pages (10 of the 181 Zyte pages), and for a
page whose language it was not told it first builds the union of justext's 100 stoplists
(``trafilatura.external.jt_stoplist_init``: every stoplist file read and lower-cased, 154,484
words, ~0.09 s of CPU). The fork server builds it in every run's warm-up, the serial start of
the pool, so that no worker pays it. It is a pure function of justext's files, so a pickle of
it (~0.02 s to load) stands in for it. The same words: trafilatura keeps them as a tuple in
set order, which differs from process to process anyway (string hashing), and justext makes
a frozenset of them before it looks any word up.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def warm_stoplist() -> None:
    """Give trafilatura its union of justext's stoplists from the disk cache (built and
    written there by trafilatura's own function the first time). Never raises: trafilatura
    then builds it itself when a page needs it."""
    try:
        import trafilatura.external as external

        if getattr(external, "JT_STOPLIST", None) or not hasattr(external, "jt_stoplist_init"):
            return
        from newsetl.cache import cache_key, cached, distribution_version

        key = cache_key(
            "justext-stoplists-union",
            distribution_version("justext"),
            distribution_version("trafilatura"),
        )
        words = cached("justext_stoplists", key, external.jt_stoplist_init)
        if isinstance(words, tuple) and words:
            external.JT_STOPLIST = words  # type: ignore[assignment]
    except Exception:  # an optimisation only
        log.debug("justext stoplists not warmed", exc_info=True)
