"""A held-out set, written after the detector was tuned on cases.jsonl and never tuned on.

Why: the main set was used while developing the detector (its errors were read and rules
adjusted), so its scores are optimistic. These sentences were written afterwards, from the
kind definitions only, and scored once; run.py reports them separately. Same markup as
build_cases.py: ``[[kind|surface|replacement|source_language]]``.
"""

from __future__ import annotations

HELDOUT_POSITIVES: list[tuple[str, str]] = [
    (
        "en",
        "The opposition accused the mayor of [[untranslated_span|abuso d'ufficio|abuse of office|it]] in the tender.",
    ),
    (
        "en",
        "Police found a network of [[untranslated_span|caporalato agricolo|illegal farm labour brokering|it]] in the south.",
    ),
    (
        "en",
        "The report warns of growing [[untranslated_span|dispersione scolastica|school drop-out|it]] in the islands.",
    ),
    (
        "en",
        "The court confirmed the [[untranslated_span|confisca dei beni|confiscation of the assets|it]] of the clan.",
    ),
    (
        "en",
        "Residents complained about the [[untranslated_span|mancanza di acqua potabile|lack of drinking water|it]] for weeks.",
    ),
    (
        "en",
        "The government wants to fight [[untranslated_span|le travail dissimulé|undeclared work|fr]] in construction.",
    ),
    (
        "en",
        "The mayor announced a plan against [[untranslated_span|la pollution de l'air|air pollution|fr]] in winter.",
    ),
    (
        "en",
        "Unions denounced the [[untranslated_span|suppression de postes|job cuts|fr]] at the factory.",
    ),
    (
        "en",
        "The minister promised new funds for [[untranslated_span|la vivienda social|social housing|es]] next year.",
    ),
    (
        "en",
        "The judge ordered [[untranslated_span|prisión provisional sin fianza|pre-trial detention without bail|es]] for the suspect.",
    ),
    (
        "en",
        "Protesters demanded an end to [[untranslated_span|los desahucios de familias|the evictions of families|es]] in the city.",
    ),
    (
        "en",
        "The agency reported a rise in [[untranslated_span|queimadas na floresta|forest fires|pt]] this year.",
    ),
    (
        "en",
        "The company was accused of [[untranslated_span|trabalho escravo|slave labour|pt]] on its farms.",
    ),
    (
        "en",
        "Experts warned about the [[untranslated_span|Anstieg der Mieten in den Städten|rise in rents in the cities|de]] over the next decade.",
    ),
    (
        "de",
        "Die Regierung plant neue Regeln gegen [[untranslated_span|online hate speech and harassment|Hass und Belästigung im Netz|en]] im Wahlkampf.",
    ),
    (
        "de",
        "Der Bericht warnt vor einem [[untranslated_span|shortage of skilled workers|Fachkräftemangel|en]] in der Pflege.",
    ),
    (
        "fr",
        "La ville a lancé un plan contre [[untranslated_span|the rising number of homeless people|la hausse du nombre de sans-abri|en]] cet hiver.",
    ),
    (
        "it",
        "Il ministro ha parlato della [[untranslated_span|shortage of doctors in rural areas|carenza di medici nelle zone rurali|en]] durante la conferenza.",
    ),
    (
        "es",
        "La policía investiga un caso de [[untranslated_span|corruption and bribery|corrupción y soborno|en]] en el ayuntamiento.",
    ),
    (
        "pt",
        "O governo anunciou um plano contra a [[untranslated_span|violence against women|violência contra as mulheres|en]] no país.",
    ),
    (
        "en",
        "The fishermen sold sardines [[untranslated_function_word|e|and|it]] anchovies at the harbour.",
    ),
    ("en", "The law applies to cars [[untranslated_function_word|y|and|es]] motorcycles alike."),
    (
        "en",
        "The mayor thanked firefighters [[untranslated_function_word|et|and|fr]] volunteers for their work.",
    ),
    ("en", "The ban covers cigarettes [[untranslated_function_word|und|and|de]] vaping products."),
    (
        "en",
        "Visitors can choose between trains [[untranslated_function_word|ou|or|fr]] buses to reach the coast.",
    ),
    (
        "en",
        "The strike was called off [[untranslated_function_word|ma|but|it]] the union kept its demands.",
    ),
    (
        "en",
        "The deal was signed by farmers [[untranslated_function_word|e|and|pt]] exporters in the south.",
    ),
    (
        "en",
        "Doctors treated children [[untranslated_function_word|y|and|es]] elderly patients first.",
    ),
    (
        "en",
        "The agency checks water [[untranslated_function_word|und|and|de]] soil quality every month.",
    ),
    ("en", "The price of coffee [[untranslated_function_word|et|and|fr]] cocoa rose sharply."),
    (
        "de",
        "Die Polizei kontrolliert Autos [[untranslated_function_word|and|und|en]] Lastwagen an der Grenze.",
    ),
    (
        "it",
        "Il governo aiuterà famiglie [[untranslated_function_word|and|e|en]] imprese colpite dall'alluvione.",
    ),
    ("en", "[[calque_elided_article|THE'Estonia|Estonia|it]] expelled two diplomats on Monday."),
    (
        "en",
        "The summit was hosted by [[calque_elided_article|the'Azerbaijan|Azerbaijan|it]] last year.",
    ),
    ("en", "[[calque_elided_article|The'Oman|Oman|it]] mediated between the two sides."),
    (
        "en",
        "Funds for [[calque_elided_article|THE'Abruzzo|Abruzzo|it]] were approved after the earthquake.",
    ),
    ("en", "[[calque_elided_article|THE'Agency|The Agency|it]] published new guidelines."),
    (
        "en",
        "A report by [[calque_elided_article|the'Institute|the Institute|fr]] found rising poverty.",
    ),
    ("en", "[[calque_elided_article|The'Armenia|Armenia|fr]] asked for international observers."),
    (
        "en",
        "Trade with [[calque_elided_article|THE'Indonesia|Indonesia|it]] doubled in five years.",
    ),
    ("en", "[[calque_article|There Hungary|Hungary|it]] blocked the joint statement."),
    ("en", "[[calque_article|There Romania|Romania|it]] opened a new border crossing."),
    ("en", "[[calque_article|There Tuscany|Tuscany|it]] welcomed record numbers of visitors."),
    ("en", "[[calque_article|There Prosecutor|The Prosecutor|it]] appealed against the acquittal."),
    ("en", "[[calque_article|There Lithuania|Lithuania|it]] will build a new fence."),
    ("en", "[[calque_article|The Austria|Austria|de]] has tightened its asylum rules."),
    ("en", "[[calque_article|The Argentina|Argentina|es]] wants to renegotiate its debt."),
    ("en", "[[calque_article|The Belgium|Belgium|fr]] will phase out nuclear power."),
    ("en", "The envoy arrived [[glued_tokens|inKyiv|in Kyiv|-]] on Tuesday."),
    ("en", "The figures were published by [[glued_tokens|theBank|the Bank|-]] of England."),
    ("en", "The delegation travelled [[glued_tokens|fromLisbon|from Lisbon|-]] to Madrid."),
    ("en", "Talks [[glued_tokens|withTurkey|with Turkey|-]] resumed after a pause."),
    ("en", "A statement [[glued_tokens|byUNICEF|by UNICEF|-]] called for a ceasefire."),
    ("en", "The rally ended [[glued_tokens|atParliament|at Parliament|-]] Square."),
    (
        "en",
        "The plan was backed by the European [[glued_tokens|Commissionand|Commission and|-]] several states.",
    ),
    (
        "de",
        "Die Abstimmung [[glued_tokens|imEuropaparlament|im Europaparlament|-]] wurde verschoben.",
    ),
    ("fr", "Le sommet s'est tenu [[glued_tokens|àBruxelles|à Bruxelles|-]] la semaine dernière."),
    ("es", "La reunión [[glued_tokens|enMadrid|en Madrid|-]] terminó sin acuerdo."),
    (
        "en",
        "The ceasefire treaty was signed in Oslo. [[false_friend|The treatise|The treaty|it]] allows aid convoys to pass.",
    ),
    (
        "en",
        "Thousands joined the demonstration in the capital. [[false_friend|The manifestation|The demonstration|fr]] was peaceful.",
    ),
    (
        "en",
        "The current minister took office in May. [[false_friend|The actual|The current|es]] minister has promised reforms.",
    ),
    (
        "en",
        "Relatives of the workers gathered at the gate. [[false_friend|The parents|The relatives|it]] of the workers demanded answers.",
    ),
    (
        "en",
        "The training of police officers will be longer. [[false_friend|The formation|The training|fr]] will last two years.",
    ),
    ("en", "Several [[capitalisation|Rural|rural|-]] communities lost their bus service."),
    ("en", "The law protects [[capitalisation|Minority|minority|-]] languages in schools."),
    ("en", "Many [[capitalisation|Young|young|-]] people cannot afford a flat."),
    ("en", "The fund pays for [[capitalisation|Medical|medical|-]] research in small hospitals."),
    ("en", "The city banned [[capitalisation|Plastic|plastic|-]] bags from markets."),
    ("en", "Some [[capitalisation|Private|private|-]] schools raised their fees."),
]

HELDOUT_NEGATIVES: list[tuple[str, str]] = [
    ("en", "Giorgia Meloni met Olaf Scholz and Pedro Sánchez in Rome."),
    ("en", "Il Sole 24 Ore reported a fall in industrial output."),
    ("en", "The Banca d'Italia raised its growth forecast."),
    ("en", "Ferrovie dello Stato will buy new trains."),
    ("en", "Mario Draghi spoke at the Università Bocconi."),
    ("en", "Emmanuel Macron visited the Élysée gardens with Jean-Luc Mélenchon."),
    ("en", "Teresa Ribera and Alberto Núñez Feijóo debated on television."),
    ("en", "Frank-Walter Steinmeier opened the Documenta exhibition."),
    ("en", "Luiz Inácio Lula da Silva spoke at the Palácio do Planalto."),
    ("en", "The plan is, in effect, a quid pro quo."),
    ("en", "The senator was declared persona non grata."),
    ("en", "Critics called it a fait accompli."),
    ("en", "The council met ad hoc on Sunday."),
    ("en", "Their joie de vivre was obvious."),
    ("en", "The company uses LinkedIn, TikTok and YouTube for recruiting."),
    ("en", "Customers ordered on eBay and paid via PayPal."),
    ("en", "The update for iPadOS and macOS is free."),
    ("en", "There was a long queue outside the museum."),
    ("en", "There will be no extra trains on Sunday."),
    ("en", 'The crowd chanted "Ni una menos" ("Not one less") outside the court.'),
    ("en", "The treatise on Roman law was reprinted last year."),
    ("en", "The chef prepared a tasting menu for the jury."),
    ("en", "Her parents still live in the village."),
    ("en", "The library lends books and films for free."),
    ("en", "Apple and Amazon reported higher profits."),
    ("en", "The European Union and the United Nations issued a joint statement."),
    ("en", "Workers at the Volkswagen plant in Wolfsburg went on strike."),
    ("en", "The Financial Times and Le Figaro interviewed the minister."),
    ("en", "The team won the Coppa Italia and the Copa del Rey in the same decade."),
    ("en", "The point on the graph where x equals y marks the break-even price."),
    ("de", "Der Manager stellte das neue Team beim Meeting vor."),
    ("de", "Die Influencerin postete ein Video auf Instagram."),
    ("de", "Das Startup bietet Software für kleine Firmen an."),
    ("fr", "Le parking du stade sera fermé ce week-end."),
    ("fr", "Emmanuel Macron a reçu Olaf Scholz à l'Élysée."),
    ("it", "Il manager ha presentato il nuovo business plan."),
    ("it", "La Juventus ha battuto l'Inter nel derby d'Italia."),
    ("es", "El Real Madrid presentó a su nuevo entrenador."),
    ("es", "La empresa contrató a un nuevo director de marketing."),
    ("pt", "O presidente Lula recebeu o chanceler alemão em Brasília."),
]
