"""Second held-out set: article-like paragraphs, several artefacts per text, written after
all development and scored once (committed before its first run). Same markup as
build_cases.py: ``[[kind|surface|replacement|source_language]]``.
"""

from __future__ import annotations

HELDOUT2_POSITIVES: list[tuple[str, str]] = [
    (
        "en",
        "The regional council met on Tuesday. [[calque_elided_article|THE'Assessor|The Assessor|it]] for health presented the plan for new clinics [[untranslated_function_word|e|and|it]] pharmacies. Opposition members spoke of [[untranslated_span|tagli alla sanità pubblica|cuts to public health care|it]] and asked for a vote.",
    ),
    (
        "en",
        "[[calque_article|There Slovakia|Slovakia|it]] has asked Brussels for more time. The minister said [[glued_tokens|theEuropean|the European|-]] rules on emissions were too strict for small firms.",
    ),
    (
        "en",
        "Thousands of farmers drove their tractors into the capital. Police said the march was calm. Several [[capitalisation|Agricultural|agricultural|-]] unions want lower fuel taxes [[untranslated_function_word|y|and|es]] fewer controls.",
    ),
    (
        "en",
        "The two governments signed a treaty on water sharing last year. This week both sides said [[false_friend|the treatise|the treaty|it]] was working well, although dry summers remain a risk.",
    ),
    (
        "en",
        "Doctors in the north warn about a [[untranslated_span|pénurie de personnel soignant|shortage of nursing staff|fr]] in rural hospitals. [[calque_elided_article|THE'Agency|The Agency|fr]] for health said it would hire more nurses.",
    ),
    (
        "en",
        "The mayor, Lucía Fernández Ortiz, opened the new library. [[truncated_name|Fernández Orti|Fernández Ortiz|-]] said the building would also host exhibitions.",
    ),
    (
        "en",
        "Inflation fell to 2.1 per cent in October, the statistics office said. Prices of food [[untranslated_function_word|und|and|de]] energy fell the most.",
    ),
    (
        "en",
        "[[calque_article|There Moldova|Moldova|it]] wants to join the union by 2030. Its president spoke in Strasbourg [[glued_tokens|withMEPs|with MEPs|-]] on Wednesday.",
    ),
    (
        "en",
        "The fishermen protested against the new quotas. [[untranslated_span|La pesca artesanal|Small-scale fishing|es]] employs thousands of people along the coast, the union said.",
    ),
    (
        "en",
        "The court sentenced the former mayor to four years for [[untranslated_span|corruzione e turbativa d'asta|corruption and bid rigging|it]]. His lawyers will appeal.",
    ),
    (
        "en",
        "Rescue teams searched the mountains for two missing hikers. The search was led by [[glued_tokens|theAlpine|the Alpine|-]] rescue service.",
    ),
    (
        "en",
        "The government wants to build more homes for young families. Critics say the plan ignores [[untranslated_span|la spéculation immobilière|property speculation|fr]] in the big cities.",
    ),
    (
        "en",
        "[[calque_elided_article|The'Iran|Iran|it]] and [[calque_elided_article|the'Iraq|Iraq|it]] signed a deal on electricity imports.",
    ),
    (
        "en",
        "Voters in the region elected a new council. Turnout was low, especially among [[capitalisation|Young|young|-]] voters in the suburbs.",
    ),
    (
        "en",
        "Tourists can visit the castle every day [[untranslated_function_word|et|and|fr]] the museum on weekends.",
    ),
    (
        "en",
        "The company announced [[duplicated_word|the the|the|-]] closure of two factories. Unions called a strike.",
    ),
    (
        "de",
        "Die Stadt plant neue Radwege und mehr Grünflächen. Kritiker sprechen von einem [[untranslated_span|waste of public money|Verschwendung öffentlicher Gelder|en]] und fordern eine Prüfung.",
    ),
    (
        "de",
        "Der Konzern meldete einen Rekordgewinn. Die Gewerkschaft fordert höhere Löhne [[untranslated_function_word|and|und|en]] kürzere Arbeitszeiten.",
    ),
    (
        "fr",
        "Le gouvernement a présenté son budget mercredi. L'opposition dénonce [[untranslated_span|the lack of investment in schools|le manque d'investissement dans les écoles|en]] et demande un débat.",
    ),
    (
        "it",
        "Il consiglio comunale ha approvato il piano per il centro storico. Secondo l'opposizione mancano fondi per [[untranslated_span|public transport and cycling|il trasporto pubblico e la bicicletta|en]] nelle periferie.",
    ),
    (
        "es",
        "El ministerio anunció nuevas ayudas para los agricultores. Las organizaciones del campo piden precios justos [[untranslated_function_word|and|y|en]] menos burocracia.",
    ),
    (
        "pt",
        "O governo anunciou um novo programa de habitação. Os críticos falam de [[untranslated_span|a drop in the ocean|uma gota no oceano|en]] diante da crise.",
    ),
]

HELDOUT2_NEGATIVES: list[tuple[str, str]] = [
    (
        "en",
        "The regional council met on Tuesday. The assessor for health, Marco Dell'Orto, presented the plan. Members of Fratelli d'Italia and the Partito Democratico asked for a vote.",
    ),
    (
        "en",
        "Pedro Sánchez and Alberto Núñez Feijóo clashed in parliament. The Partido Popular accused the government of weakness vis-à-vis the separatists.",
    ),
    (
        "en",
        "The festival opened with a concert in the Piazza del Campo. Tickets sold out within hours, the organisers said.",
    ),
    (
        "en",
        "There are fears that the drought will last. There is little rain in the forecast, and there were protests by farmers last week.",
    ),
    (
        "en",
        "The start-up, founded by two engineers from Turin, sells its app through the App Store and Google Play. Its CEO, Giulia De Santis, said growth was strong.",
    ),
    (
        "en",
        'The minister quoted the motto "Liberté, égalité, fraternité" (liberty, equality, fraternity) in her speech.',
    ),
    (
        "en",
        "The report, written by Smith et al., found that vitamin e supplements had no effect on the disease.",
    ),
    (
        "en",
        "Chancellor Olaf Scholz met Emmanuel Macron at the Élysée Palace. They discussed the Deutsche Bahn strike and the Banque de France forecast.",
    ),
    (
        "en",
        "The treaty on the functioning of the union sets the rules. A philosophical treatise on sovereignty was also cited in court.",
    ),
    (
        "en",
        "Human Rights Watch and Amnesty International criticised the law. The European Court of Human Rights will hear the case.",
    ),
    (
        "en",
        "Her parents run a small bakery in Porto. The actual cost of the renovation was higher than planned.",
    ),
    (
        "en",
        "The film captures the zeitgeist of the nineties, and its director says the ending is not tragic per se.",
    ),
    (
        "de",
        "Der Manager sprach beim Meeting über das neue Team und die Software. Danach gab es ein Update für alle Fans.",
    ),
    (
        "fr",
        "Le week-end dernier, le parking du centre commercial était plein. Le manager du magasin a parlé de marketing.",
    ),
    (
        "it",
        "Il premier ha parlato di smart working e di welfare durante il question time alla Camera.",
    ),
    ("es", "El Real Madrid y el FC Barcelona jugarán la final de la Copa del Rey en Sevilla."),
    ("pt", "O presidente do Banco do Brasil falou sobre o mercado e o marketing digital."),
]
