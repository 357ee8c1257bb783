"""Story B: a (fictional) EU summit agreeing a climate treaty.

A native English report with a German MT copy that leaves an English phrase untranslated, and an
Italian report with an MT English copy carrying false friends ("treatise", "actually"). Named EU
office holders appear only in neutral roles; every other person is invented.
"""

from __future__ import annotations

CLIMATE_EN = {
    "path": "en/2026/11/eu-summit-climate-treaty.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-20T07:40:00+01:00",
    "author": "Rachel Whitmore",
    "title": "EU leaders agree climate treaty text after all-night summit",
    "description": "Member states back a 70% emissions cut by 2040 and a new fund for poorer "
    "regions, after talks in Brussels ran past dawn.",
    "jsonld": True,
    "paragraphs": [
        "European Union leaders agreed the text of a new climate treaty early on Friday after "
        "negotiations in Brussels ran through the night. The accord commits member states to "
        "cut net greenhouse gas emissions by 70% by 2040 compared with 1990 levels, and sets up "
        'a fund to help poorer regions <a href="/it/2026/11/vertice-ue-trattato-clima.html">'
        "replace coal heating</a> in homes, schools and hospitals.",
        "Commission President Ursula von der Leyen called the deal \u201ca bona fide commitment, "
        "not a slogan\u201d. There are still gaps, she conceded: the treaty leaves the details "
        "of carbon border charges to a later regulation, and two governments attached written "
        "reservations to the final text.",
        "The chief negotiator for the Council presidency, Thomas Weber, said the hardest "
        "moment came around 3am, when Hungary and Austria asked for a longer transition for "
        "heavy industry. \u201cWe had to show that the rules apply to everyone, not per se to "
        "the richest countries first,\u201d Weber told reporters as delegations left the "
        "Europa building.",
        "The agreement also creates a dedicated loss and damage fund for partner countries "
        "hit by floods and droughts, a point on which the EU's position vis-à-vis the "
        "large emerging economies had been unclear for months. Officials said the fund would "
        "start with four billion euros and be reviewed every three years.",
        "Outside the building, several hundred young protesters had gathered with banners "
        "reading \u201cIl n'y a pas de planète B\u201d (\u201cThere is no planet B\u201d), a "
        "chant that has become part of the zeitgeist of European climate marches. Organisers "
        "said the treaty was a step forward but still too slow for the scale of the crisis.",
        "The text now goes to national parliaments for ratification, a process diplomats "
        "expect to take at least eighteen months. There are twenty-seven ratifications "
        "needed before the treaty enters into force, and a single rejection would send it "
        "back to the negotiating table. A German translation of this report is "
        '<a href="/de/2026/11/eu-gipfel-klimavertrag.html">available</a>.',
    ],
    "entities": [
        {"surface": "European Union", "type": "ORG", "canonical": "European Union"},
        {"surface": "EU", "type": "ORG", "canonical": "European Union"},
        {"surface": "Ursula von der Leyen", "type": "PER", "canonical": "Ursula von der Leyen"},
        {"surface": "Thomas Weber", "type": "PER", "canonical": "Thomas Weber"},
        {"surface": "Weber", "type": "PER", "canonical": "Thomas Weber"},
        {"surface": "Brussels", "type": "LOC", "canonical": "Brussels"},
        {"surface": "Hungary", "type": "LOC", "canonical": "Hungary"},
        {"surface": "Austria", "type": "LOC", "canonical": "Austria"},
    ],
    "artefacts": [],
    "hard_negatives": [
        "Ursula von der Leyen",
        "bona fide",
        "There are",
        "per se",
        "vis-à-vis",
        "zeitgeist",
        "Il n'y a pas de planète B",
    ],
}

CLIMATE_DE_MT = {
    "path": "de/2026/11/eu-gipfel-klimavertrag.html",
    "lang": "de",
    "locale": "de_DE",
    "published": "2026-11-20T10:15:00+01:00",
    "author": "Rachel Whitmore",
    "title": "EU-Führer einigen sich auf Klimavertragstext nach ganznächtlichem Gipfel",
    "description": "Die Mitgliedstaaten unterstützen eine Senkung der Emissionen um 70 % bis 2040 "
    "und einen neuen Fonds für ärmere Regionen.",
    "translation_of": CLIMATE_EN["path"],
    "jsonld": False,
    "paragraphs": [
        "Die Führer der Europäischen Union haben sich am frühen Freitag auf den Text eines "
        "neuen Klimavertrags geeinigt, nachdem die Verhandlungen in Brüssel die ganze Nacht "
        "hindurch liefen. Das Abkommen verpflichtet die Mitgliedstaaten, die Netto-"
        "Treibhausgasemissionen bis 2040 im Vergleich zu 1990 um 70 % zu senken, und richtet "
        "einen Fonds ein, um ärmeren Regionen zu helfen, die Kohleheizung in Häusern, Schulen "
        "und Krankenhäusern zu ersetzen.",
        "Kommissionspräsidentin Ursula von der Leyen nannte die Vereinbarung \u201eeine bona "
        "fide Verpflichtung, nicht einen Slogan\u201c. Es gibt noch Lücken, räumte sie ein: Der "
        "Vertrag überlässt die Einzelheiten der CO2-Grenzabgaben einer späteren Verordnung, und "
        "zwei Regierungen fügten dem endgültigen Text schriftliche Vorbehalte bei.",
        "Der Chefunterhändler der Ratspräsidentschaft, Thomas Weber, sagte, der schwierigste "
        "Moment sei gegen 3 Uhr morgens gekommen, als Ungarn und Österreich um einen längeren "
        "Übergang für die Schwerindustrie baten. \u201eWir mussten zeigen, dass die Regeln für "
        "alle gelten, nicht per se zuerst für die reichsten Länder\u201c, sagte Weber den "
        "Reportern, als die Delegationen das Europa-Gebäude verließen.",
        "Das Abkommen schafft außerdem einen eigenen loss and damage fund für Partnerländer, "
        "die von Überschwemmungen und Dürren getroffen werden, ein Punkt, bei dem die Position "
        "der EU gegenüber den großen Schwellenländern monatelang unklar gewesen war. Beamte "
        "sagten, der Fonds werde mit vier Milliarden Euro starten und alle drei Jahre "
        "überprüft werden.",
        "Vor dem Gebäude hatten sich mehrere hundert junge Demonstranten mit Transparenten "
        "versammelt, auf denen \u201eIl n'y a pas de planète B\u201c (\u201eEs gibt keinen "
        "Planeten B\u201c) stand, ein Sprechchor, der Teil des Zeitgeistes europäischer "
        "Klimamärsche geworden ist. Die Organisatoren sagten, der Vertrag sei ein Schritt nach "
        "vorn, aber immer noch zu langsam für das Ausmaß der Krise.",
        "Der Text geht nun an die nationalen Parlamente zur Ratifizierung, ein Prozess, von dem "
        "Diplomaten erwarten, dass er mindestens achtzehn Monate dauert. Es werden "
        "siebenundzwanzig Ratifizierungen benötigt, bevor der Vertrag in Kraft tritt, und eine "
        "einzige Ablehnung würde ihn an den Verhandlungstisch zurückschicken. Der englische "
        'Originalbericht ist <a href="/en/2026/11/eu-summit-climate-treaty.html">hier</a> '
        "verfügbar.",
    ],
    "entities": [
        {"surface": "Europäischen Union", "type": "ORG", "canonical": "European Union"},
        {"surface": "EU", "type": "ORG", "canonical": "European Union"},
        {"surface": "Ursula von der Leyen", "type": "PER", "canonical": "Ursula von der Leyen"},
        {"surface": "Thomas Weber", "type": "PER", "canonical": "Thomas Weber"},
        {"surface": "Weber", "type": "PER", "canonical": "Thomas Weber"},
        {"surface": "Brüssel", "type": "LOC", "canonical": "Brussels"},
        {"surface": "Ungarn", "type": "LOC", "canonical": "Hungary"},
        {"surface": "Österreich", "type": "LOC", "canonical": "Austria"},
    ],
    "artefacts": [
        {
            "kind": "untranslated_span",
            "surface": "loss and damage fund",
            "expected_repair": "Fonds für Verluste und Schäden",
        },
        {
            "kind": "false_friend",
            "surface": "Die Führer der Europäischen Union",
            "expected_repair": "Die Staats- und Regierungschefs der Europäischen Union",
        },
    ],
    "hard_negatives": ["Ursula von der Leyen", "bona fide", "per se", "Il n'y a pas de planète B"],
}

CLIMATE_IT = {
    "path": "it/2026/11/vertice-ue-trattato-clima.html",
    "lang": "it",
    "locale": "it_IT",
    "published": "2026-11-20T08:10:00+01:00",
    "author": "Marco Villani",
    "title": "Vertice Ue, accordo notturno sul trattato per il clima: emissioni -70% entro il 2040",
    "description": "A Bruxelles i capi di Stato e di governo approvano il testo del trattato. "
    "Resistenze dell'Austria e dell'Ungheria sull'industria pesante.",
    "jsonld": False,
    "paragraphs": [
        "Dopo una notte di trattative, i capi di Stato e di governo dell'Unione europea hanno "
        "approvato a Bruxelles il testo del nuovo trattato per il clima. Il trattato impegna i "
        "Ventisette a ridurre le emissioni nette di gas serra del 70 per cento entro il 2040 "
        "rispetto ai livelli del 1990.",
        "L'intesa è arrivata solo all'alba, quando l'Ungheria e l'Austria hanno ritirato la "
        "richiesta di un rinvio di cinque anni per l'industria pesante in cambio di una "
        "clausola di revisione. Attualmente il sistema europeo di scambio delle quote copre "
        'circa il 40 per cento delle emissioni, ha ricordato il presidente del <a href="/en/'
        '2026/11/eu-summit-climate-treaty.html">Consiglio europeo</a> nella conferenza stampa '
        "finale.",
        "Il testo prevede anche un fondo sociale per il clima destinato alle famiglie a basso "
        "reddito e alle piccole imprese, con una dotazione iniziale di quattro miliardi di euro. "
        "Le risorse potranno essere usate per l'industria e l'agricoltura, ma anche per "
        "sostituire le caldaie a carbone in scuole e ospedali.",
        "Più di un leader ha citato il rapporto Draghi sulla competitività, secondo cui la "
        "transizione può rafforzare l'industria europea solo se accompagnata da investimenti "
        "comuni. Il governo italiano ha chiesto che una parte del fondo sia gestita dalle "
        "banche nazionali di promozione, come la Cassa Depositi e Prestiti.",
        "Le organizzazioni ambientaliste hanno giudicato il trattato un passo avanti, ma "
        "troppo lento rispetto all'urgenza della crisi. Davanti al palazzo del Consiglio "
        "alcune centinaia di giovani hanno manifestato per tutta la notte, cantando slogan in "
        "francese, tedesco e italiano.",
        "Ora il trattato dovrà essere ratificato dai parlamenti nazionali. I diplomatici "
        "stimano che serviranno almeno diciotto mesi, e basterà un solo voto contrario per "
        "riaprire il negoziato. La Commissione presenterà entro marzo il regolamento "
        "sull'adeguamento del carbonio alle frontiere, rimasto fuori dall'accordo.",
    ],
    "entities": [
        {"surface": "Unione europea", "type": "ORG", "canonical": "European Union"},
        {"surface": "Consiglio europeo", "type": "ORG", "canonical": "European Council"},
        {"surface": "Bruxelles", "type": "LOC", "canonical": "Brussels"},
        {"surface": "Austria", "type": "LOC", "canonical": "Austria"},
        {"surface": "Ungheria", "type": "LOC", "canonical": "Hungary"},
        {"surface": "Draghi", "type": "PER", "canonical": "Mario Draghi"},
        {
            "surface": "Cassa Depositi e Prestiti",
            "type": "ORG",
            "canonical": "Cassa Depositi e Prestiti",
        },
    ],
    "artefacts": [],
    "hard_negatives": ["Cassa Depositi e Prestiti", "Draghi"],
}

CLIMATE_EN_MT = {
    "path": "en/2026/11/eu-summit-climate-treatise.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-20T09:55:00+01:00",
    "author": "Marco Villani",
    "title": "EU summit, nocturnal agreement on the treaty for the climate: emissions -70% by 2040",
    "description": "In Brussels the heads of State and government approve the text of the "
    "treaty. Resistances of the Austria and of the Hungary on the heavy industry.",
    "translation_of": CLIMATE_IT["path"],
    "jsonld": True,
    "paragraphs": [
        "After a night of negotiations, the heads of State and government of the European "
        "Union have approved in Brussels the text of the new treaty for the climate. The "
        "treatise commits the Twenty-seven to reduce the net emissions of greenhouse gases by "
        "70 per cent by 2040 compared to the levels of 1990.",
        "The agreement arrived only at dawn, when the'Hungary and Austria withdrew the request "
        "for a postponement of five years for the heavy industry in exchange for a review "
        "clause. Actually the European emissions trading system covers around 40 per cent of "
        "the emissions, recalled the president of the"
        '<a href="/en/2026/11/eu-summit-climate-treaty.html">European Council</a> in the final '
        "press conference.",
        "The text foresees also a fondo sociale per il clima destined to the families with low "
        "income and to the small enterprises, with an initial endowment of four billion euros. "
        "The resources can be used for industry e agriculture, but also to replace the coal "
        "boilers in schools and hospitals.",
        "More than one leader cited the Draghi report on competitiveness, according to which "
        "the transition can strengthen the European industry only if accompanied by common "
        "investments. The Italian government has asked that a part of the fund be managed by "
        "the national promotional banks, like the Cassa Depositi e Prestiti.",
        "The environmental organisations judged the treaty a step forward, but too slow "
        "compared to the urgency of the crisis. In front of the building of the Council some "
        "hundreds of young people demonstrated for the whole night, singing slogans in French, "
        "German and Italian.",
        "Now the treaty will have to be ratified by the national parliaments. The diplomats "
        "estimate that at least eighteen months will be needed, and a single contrary vote "
        "will be enough to reopen the negotiation. The Commission will present by March the "
        "regulation on the carbon border adjustment, remained outside of the agreement.",
    ],
    "entities": [
        {"surface": "European Union", "type": "ORG", "canonical": "European Union"},
        {"surface": "European Council", "type": "ORG", "canonical": "European Council"},
        {"surface": "Brussels", "type": "LOC", "canonical": "Brussels"},
        {"surface": "Austria", "type": "LOC", "canonical": "Austria"},
        {"surface": "Hungary", "type": "LOC", "canonical": "Hungary"},
        {"surface": "Draghi", "type": "PER", "canonical": "Mario Draghi"},
        {
            "surface": "Cassa Depositi e Prestiti",
            "type": "ORG",
            "canonical": "Cassa Depositi e Prestiti",
        },
    ],
    "artefacts": [
        {"kind": "false_friend", "surface": "treatise", "expected_repair": "treaty"},
        {"kind": "calque_elided_article", "surface": "the'Hungary", "expected_repair": "Hungary"},
        {"kind": "false_friend", "surface": "Actually", "expected_repair": "Currently"},
        {
            "kind": "glued_tokens",
            "surface": "theEuropean Council",
            "expected_repair": "the European Council",
        },
        {
            "kind": "untranslated_span",
            "surface": "fondo sociale per il clima",
            "expected_repair": "Social Climate Fund",
        },
        {
            "kind": "untranslated_function_word",
            "surface": "industry e agriculture",
            "expected_repair": "industry and agriculture",
        },
    ],
    "hard_negatives": ["Cassa Depositi e Prestiti", "Draghi"],
}

ARTICLES = [CLIMATE_EN, CLIMATE_DE_MT, CLIMATE_IT, CLIMATE_EN_MT]
