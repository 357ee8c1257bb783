"""Wall, CPU and max RSS of lingua's short-text scoring in a fresh interpreter: one text after another
(as newsetl.language_job does) against compute_language_confidence_values_in_parallel.

Why: the short-text identification (newsetl.run.shorttexts) loads lingua's models in a
process of its own while the run's pool is down; its wall time is a stall of the run, and its
memory beside the run's process is a peak of the run. Prints both and a digest of the values
(the two modes must agree).

Run (each mode in a fresh interpreter, as the identifying process is)::

    for m in seq par seq par; do .venv/bin/python benchmarks/pipeline/lingua_parallel.py $m; done
"""

import hashlib
import json
import resource
import sys
import time

from lingua import LanguageDetectorBuilder

TEXTS = [
    "Page not found",
    "Accueil - Le Monde",
    "Die Regierung hat heute entschieden",
    "Il governo ha deciso oggi",
    "El gobierno decidió hoy",
    "O governo decidiu hoje",
    "De regering heeft vandaag besloten",
    "Rząd zdecydował dziś",
    "Vláda dnes rozhodla",
    "A kormány ma döntött",
    "Hallitus päätti tänään",
    "Regeringen beslutade i dag",
    "Subscribe to our newsletter",
    "Cookies policy",
    "Lire la suite",
    "Weiterlesen",
    "Leggi anche",
    "Más noticias",
    "Leia mais",
    "Lees verder",
    "Czytaj dalej",
    "Hükümet bugün karar verdi",
    "Chính phủ đã quyết định hôm nay",
    "Pemerintah memutuskan hari ini",
] * 2
mode = sys.argv[1]
wall, cpu = time.perf_counter(), time.process_time()
d = LanguageDetectorBuilder.from_all_languages().build()
if mode == "seq":
    out = [d.compute_language_confidence_values(t) for t in TEXTS]
else:
    out = d.compute_language_confidence_values_in_parallel(TEXTS)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
sig = [[(v.language.name, round(v.value, 12)) for v in row if v.value > 0] for row in out]
print(
    mode,
    f"wall {wall:.2f} s cpu {cpu:.2f} s maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
    hashlib.sha1(json.dumps(sig).encode()).hexdigest()[:12],
)
