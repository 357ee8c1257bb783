"""Story D: (fictional) rail strikes in Spain, Germany and Italy, plus an MT English copy of the
Spanish report, and a native English report on election disinformation.

Union leaders, researchers and reporters are invented. Real companies and public figures appear
only in neutral roles, as hard negatives for the artefact detectors and entity normalisers.
"""

from __future__ import annotations

RAIL_ES = {
    "path": "es/2026/11/huelga-maquinistas-salarios-precios.html",
    "lang": "es",
    "locale": "es_ES",
    "published": "2026-11-19T08:00:00+01:00",
    "author": "Andrés Villaseca",
    "title": "Huelga de maquinistas: los sindicatos exigen que los salarios sigan a los precios",
    "description": "Los paros afectarán a los trenes de cercanías y de larga distancia durante "
    "tres jornadas. El Gobierno fija servicios mínimos del 60 %.",
    "jsonld": True,
    "paragraphs": [
        "Los maquinistas de la compañía ferroviaria pública irán a la huelga el lunes, martes y "
        "miércoles de la próxima semana. El sindicato convocante reclama una subida salarial "
        "del 7 % y una cláusula que vincule la evolución de precios y salarios durante los "
        "próximos cuatro años.",
        "Más de 2.000 trabajadores asistieron el domingo a la asamblea celebrada en Madrid, "
        "donde se votó la convocatoria por amplia mayoría. La secretaria general del "
        "sindicato, Carmen Ruiz Ortega, afirmó que la plantilla ha perdido poder adquisitivo "
        "de forma continuada. «No pedimos privilegios, pedimos no ser más pobres cada año», "
        "declaró Ortega al término de la votación.",
        "El Ministerio de Transportes ha fijado unos servicios mínimos del 60 % en cercanías "
        "y del 40 % en los trenes de larga distancia. La presidenta de la Comunidad de "
        "Madrid, Isabel Díaz Ayuso, pidió que se refuercen los servicios mínimos en las horas "
        "punta para no perjudicar a quienes no pueden teletrabajar.",
        "Actualmente, según datos de la empresa, un maquinista con diez años de antigüedad "
        "cobra unos 2.600 euros brutos al mes. La dirección ofrece un aumento del 4 % y "
        "recuerda que la plantilla recibió una paga extraordinaria en 2025. Los sindicatos "
        "responden que esa paga no compensó la subida de la vivienda y de los alimentos.",
        "La protesta coincide con las huelgas ferroviarias convocadas en "
        '<a href="/fr/2026/11/greve-cheminots-trafic-perturbe.html">Francia</a> y Alemania. '
        "Varios sindicatos europeos estudian una jornada de movilización conjunta a principios "
        "de diciembre, algo poco habitual en el sector.",
        "Los viajeros con billete para los días de huelga podrán cambiarlo o pedir la "
        "devolución íntegra en la aplicación de la compañía. Las asociaciones de consumidores "
        "recomiendan no esperar al último momento y recuerdan que las reclamaciones también "
        "pueden presentarse por correo electrónico.",
    ],
    "entities": [
        {"surface": "Carmen Ruiz Ortega", "type": "PER", "canonical": "Carmen Ruiz Ortega"},
        {"surface": "Ortega", "type": "PER", "canonical": "Carmen Ruiz Ortega"},
        {"surface": "Isabel Díaz Ayuso", "type": "PER", "canonical": "Isabel Díaz Ayuso"},
        {"surface": "Comunidad de Madrid", "type": "LOC", "canonical": "Community of Madrid"},
        {"surface": "Madrid", "type": "LOC", "canonical": "Madrid"},
        {"surface": "Francia", "type": "LOC", "canonical": "France"},
        {"surface": "Alemania", "type": "LOC", "canonical": "Germany"},
    ],
    "artefacts": [],
    "hard_negatives": ["Isabel Díaz Ayuso"],
}

RAIL_EN_MT = {
    "path": "en/2026/11/train-drivers-strike-wages-prices.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-19T10:20:00+01:00",
    "author": "Andrés Villaseca",
    "title": "Strike of train drivers: the unions demand that the salaries follow the prices",
    "description": "The stoppages will affect the commuter and long-distance trains during "
    "three days. The Government fixes minimum services of 60%.",
    "translation_of": RAIL_ES["path"],
    "jsonld": False,
    "paragraphs": [
        "The train drivers of the public railway company will go on strike on Monday, Tuesday "
        "and Wednesday of next week. The convening union demands a salary rise of 7% and a "
        "clause that links the evolution of prices y wages during the next four years.",
        "More than 2,000 workers assisted on Sunday to the assembly held in Madrid, where the "
        "call was voted by a wide majority. The general secretary of the union, Carmen Ruiz "
        "Ortega, affirmed that the workforce has lost purchasing power in a continuous way. "
        "\u201cWe do not ask for privileges, we ask not to be poorer every year,\u201d declared "
        "Orteg at the end of the vote.",
        "The Ministry of Transport has fixed servicios mínimos of 60% in commuter trains and "
        "of 40% in the long-distance trains. The president of the Community of Madrid, Isabel "
        "Díaz Ayuso, asked that the minimum services be reinforced in the rush hours so as "
        "not to harm those who cannot telework.",
        "Currently, according to data of the company, a train driver with ten years of "
        "seniority earns about 2,600 euros gross per month. The management offers a rise of 4% "
        "and recalls that the workforce received an extraordinary payment in 2025. The unions "
        "answer that this payment did not compensate the rise of housing and food.",
        "The protest coincides with the railway strikes called in "
        '<a href="/fr/2026/11/greve-cheminots-trafic-perturbe.html">France</a> and Germany. '
        "Several European unions are studying a day of joint mobilisation at the beginning of "
        "December, something unusual in the sector.",
        "The travellers with a ticket for the strike days will be able to change it or to ask "
        "for the full refund in the app of the company. The consumer associations "
        "recommend not to wait until the last moment and remember that the claims can also be "
        "submitted by e-mail.",
    ],
    "entities": [
        {"surface": "Carmen Ruiz Ortega", "type": "PER", "canonical": "Carmen Ruiz Ortega"},
        {"surface": "Orteg", "type": "PER", "canonical": "Carmen Ruiz Ortega"},
        {"surface": "Isabel Díaz Ayuso", "type": "PER", "canonical": "Isabel Díaz Ayuso"},
        {"surface": "Community of Madrid", "type": "LOC", "canonical": "Community of Madrid"},
        {"surface": "Madrid", "type": "LOC", "canonical": "Madrid"},
        {"surface": "France", "type": "LOC", "canonical": "France"},
        {"surface": "Germany", "type": "LOC", "canonical": "Germany"},
    ],
    "artefacts": [
        {
            "kind": "untranslated_function_word",
            "surface": "prices y wages",
            "expected_repair": "prices and wages",
        },
        {"kind": "false_friend", "surface": "assisted", "expected_repair": "attended"},
        {"kind": "truncated_name", "surface": "Orteg", "expected_repair": "Ortega"},
        {
            "kind": "untranslated_span",
            "surface": "servicios mínimos",
            "expected_repair": "minimum services",
        },
    ],
    "hard_negatives": ["Isabel Díaz Ayuso", "Currently"],
}

RAIL_DE = {
    "path": "de/2026/11/bahnstreik-fernverkehr.html",
    "lang": "de",
    "locale": "de_DE",
    "published": "2026-11-18T07:15:00+01:00",
    "author": "Katrin Albers",
    "title": "Bahnstreik legt Fernverkehr weitgehend lahm",
    "description": "Die Lokführer streiken 48 Stunden lang. Die Deutsche Bahn bietet einen "
    "Notfahrplan an, Pendler müssen sich auf volle Regionalzüge einstellen.",
    "jsonld": True,
    "paragraphs": [
        "Reisende in ganz Deutschland müssen sich seit Mittwochmorgen auf massive "
        "Einschränkungen einstellen. Die Lokführer haben einen 48-stündigen Streik begonnen, "
        "die Deutsche Bahn (DB) fährt im Fernverkehr nur noch etwa jeden fünften Zug nach "
        "einem Notfahrplan. Auch im Güterverkehr stehen zahlreiche Verbindungen still.",
        "Die Gewerkschaftsvorsitzende Anna Weber verteidigte den Ausstand. Die Beschäftigten "
        "hätten in den vergangenen drei Jahren real deutlich an Kaufkraft verloren, sagte "
        "Weber in Frankfurt am Main. Die Gewerkschaft fordert eine Lohnerhöhung von 550 Euro "
        "im Monat und eine Arbeitszeitverkürzung für Schichtarbeiter.",
        "Die Deutsche Bahn nannte den Streik unverhältnismäßig und verwies auf ihr Angebot von "
        "sieben Prozent mehr Lohn in zwei Stufen. Ein Sprecher sagte, man sei jederzeit zu "
        "Gesprächen bereit, erwarte aber einen realistischen Kompromiss. Fahrgäste können "
        "ihre Tickets flexibel nutzen oder sich den Fahrpreis erstatten lassen.",
        "Auch in Nachbarländern wächst der Unmut bei den Eisenbahnern. In "
        '<a href="/fr/2026/11/greve-cheminots-trafic-perturbe.html">Frankreich</a> sind '
        "ebenfalls Streiks angekündigt, in Spanien und Italien wollen die Gewerkschaften in der "
        "kommenden Woche folgen. Europäische Verbände beraten über einen gemeinsamen "
        "Aktionstag Anfang Dezember.",
        "Wirtschaftsverbände warnten vor Schäden in dreistelliger Millionenhöhe pro Streiktag, "
        "weil Lieferketten der Chemie- und Autoindustrie auf die Schiene angewiesen seien. "
        "Der Fahrgastverband forderte, Streiks künftig mindestens drei Tage vorher anzukündigen, "
        "damit Pendler planen könnten.",
        "Ob die Tarifparteien noch vor dem Wochenende an den Verhandlungstisch zurückkehren, "
        "ist offen. Weber kündigte an, die Gewerkschaft werde im Dezember keine Streiks mehr "
        "ausrufen, falls bis dahin ein verbessertes Angebot vorliege.",
        "Am Hauptbahnhof in Köln blieben viele Reisende gelassen. Eine Studentin, die zu ihren "
        "Eltern nach Hamburg wollte, sagte, sie habe kurzfristig eine Mitfahrgelegenheit "
        "gefunden. Andere warteten stundenlang auf einen der wenigen Züge, die laut "
        "Notfahrplan noch verkehrten, und verfolgten die Anzeigetafeln mit wachsender Ungeduld.",
    ],
    "entities": [
        {"surface": "Deutsche Bahn", "type": "ORG", "canonical": "Deutsche Bahn"},
        {"surface": "DB", "type": "ORG", "canonical": "Deutsche Bahn"},
        {"surface": "Anna Weber", "type": "PER", "canonical": "Anna Weber"},
        {"surface": "Weber", "type": "PER", "canonical": "Anna Weber"},
        {"surface": "Frankfurt am Main", "type": "LOC", "canonical": "Frankfurt am Main"},
        {"surface": "Deutschland", "type": "LOC", "canonical": "Germany"},
        {"surface": "Frankreich", "type": "LOC", "canonical": "France"},
    ],
    "artefacts": [],
    "hard_negatives": ["Deutsche Bahn"],
}

RAIL_IT = {
    "path": "it/2026/11/sciopero-treni-drago.html",
    "lang": "it",
    "locale": "it_IT",
    "published": "2026-11-21T07:30:00+01:00",
    "author": "Francesca Orlandi",
    "title": "Sciopero dei treni venerdì, Drago: «Nessun passo indietro sui salari»",
    "description": "Otto ore di stop del personale ferroviario. Garantite le fasce di "
    "pendolari dalle 6 alle 9 e dalle 18 alle 21.",
    "jsonld": False,
    "paragraphs": [
        "Venerdì prossimo i treni regionali e ad alta velocità si fermeranno per otto ore, dalle "
        "9 alle 17. Lo sciopero è stato proclamato dai sindacati dei trasporti dopo la rottura "
        "della trattativa sul rinnovo del contratto nazionale del personale ferroviario.",
        "«Non faremo nessun passo indietro sui salari», ha detto il segretario nazionale "
        "Lorenzo Drago in un'intervista pubblicata da La Stampa. Secondo Drago, negli ultimi "
        "tre anni l'inflazione ha eroso quasi il dieci per cento del potere d'acquisto dei "
        "macchinisti e dei capitreno, mentre le aziende hanno chiuso i bilanci in utile.",
        "Le imprese del settore replicano che l'offerta sul tavolo prevede un aumento di 180 "
        "euro mensili e nuove assunzioni. Una parte degli investimenti per il rinnovo della "
        "flotta, ricordano, è finanziata dalla Cassa Depositi e Prestiti e non può essere "
        "destinata agli stipendi.",
        "Come previsto dalla legge, saranno garantiti i treni nelle fasce pendolari, dalle 6 "
        "alle 9 e dalle 18 alle 21. I viaggiatori potranno chiedere il rimborso del biglietto "
        "fino all'orario di partenza oppure riprogrammare il viaggio senza costi aggiuntivi.",
        "La mobilitazione italiana si inserisce in un'ondata di proteste europee: in "
        '<a href="/de/2026/11/bahnstreik-fernverkehr.html">Germania</a> i macchinisti della '
        "Deutsche Bahn hanno scioperato per due giorni, e in Francia e Spagna sono attese "
        "nuove giornate di stop. I sindacati stanno valutando un'iniziativa comune a Bruxelles "
        "all'inizio di dicembre.",
        "Il ministero dei Trasporti ha convocato le parti per mercoledì. Drago si è detto "
        "disponibile al confronto, ma ha avvertito che senza un'offerta migliore lo sciopero di "
        "venerdì sarà solo il primo di una serie.",
    ],
    "entities": [
        {"surface": "Lorenzo Drago", "type": "PER", "canonical": "Lorenzo Drago"},
        {"surface": "Drago", "type": "PER", "canonical": "Lorenzo Drago"},
        {"surface": "La Stampa", "type": "ORG", "canonical": "La Stampa"},
        {
            "surface": "Cassa Depositi e Prestiti",
            "type": "ORG",
            "canonical": "Cassa Depositi e Prestiti",
        },
        {"surface": "Deutsche Bahn", "type": "ORG", "canonical": "Deutsche Bahn"},
        {"surface": "Germania", "type": "LOC", "canonical": "Germany"},
        {"surface": "Bruxelles", "type": "LOC", "canonical": "Brussels"},
    ],
    "artefacts": [],
    "hard_negatives": ["La Stampa", "Cassa Depositi e Prestiti", "Drago"],
}

ELECTION_EN = {
    "path": "en/2026/11/rights-group-whatsapp-disinformation.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-16T12:00:00+00:00",
    "author": "Priya Raman",
    "title": "Rights group warns of WhatsApp disinformation before regional elections",
    "description": "Human Rights Watch says closed messaging groups spread fake polling-station "
    "changes and calls on platforms to act before voters go to the polls.",
    "jsonld": True,
    "paragraphs": [
        "Human Rights Watch (HRW) has warned that coordinated networks on WhatsApp and other "
        "messaging apps are spreading false information about polling stations ahead of "
        "regional elections in several European countries. In a report published on Monday, "
        "the group documents more than 400 messages that told voters their polling station "
        "had moved or that they could vote by text message.",
        "\u201cThe technology per se is not the problem,\u201d said Daniel Okafor, the HRW "
        "researcher who led the study. \u201cThe problem is that closed groups are almost "
        "impossible for election authorities to monitor, and corrections arrive days after "
        "the damage is done.\u201d Okafor said some of the networks had raised money through "
        "PayPal links presented as donations to a neighbourhood association.",
        "There are no reliable figures on how many voters saw the messages, the report "
        "concedes. But HRW found identical texts in Italian, Spanish and Romanian, which it "
        "says suggests a single origin. An investigation by the Italian daily La Stampa last "
        "month had traced similar messages to a marketing company registered abroad.",
        "The group calls on the platforms to add friction to mass forwarding during election "
        "periods and to give independent researchers access to aggregated data. It also urges "
        'the <a href="/en/2026/11/un-report-money-laundering.html">United Nations</a> (UN) '
        "special rapporteurs on freedom of expression to include private messaging in their "
        "next review.",
        "Election officials interviewed for the report said they lacked the staff to respond. "
        "One regional commissioner described the mood as a zeitgeist of distrust, in which "
        "any official correction is itself treated as suspicious. There are plans in two "
        "countries to set up rapid-response units staffed by former journalists.",
        "A spokesperson for the messaging company said it already limits forwarding and bans "
        "accounts that send bulk messages, and that it would study the recommendations in good "
        "faith. HRW said it would publish a follow-up after the elections, comparing turnout "
        "in districts where the false messages circulated with the rest of each region.",
    ],
    "entities": [
        {"surface": "Human Rights Watch", "type": "ORG", "canonical": "Human Rights Watch"},
        {"surface": "HRW", "type": "ORG", "canonical": "Human Rights Watch"},
        {"surface": "Daniel Okafor", "type": "PER", "canonical": "Daniel Okafor"},
        {"surface": "Okafor", "type": "PER", "canonical": "Daniel Okafor"},
        {"surface": "WhatsApp", "type": "ORG", "canonical": "WhatsApp"},
        {"surface": "PayPal", "type": "ORG", "canonical": "PayPal"},
        {"surface": "La Stampa", "type": "ORG", "canonical": "La Stampa"},
        {"surface": "United Nations", "type": "ORG", "canonical": "United Nations"},
        {"surface": "UN", "type": "ORG", "canonical": "United Nations"},
    ],
    "artefacts": [],
    "hard_negatives": ["WhatsApp", "PayPal", "La Stampa", "per se", "zeitgeist", "There are"],
}

ARTICLES = [RAIL_ES, RAIL_EN_MT, RAIL_DE, RAIL_IT, ELECTION_EN]
