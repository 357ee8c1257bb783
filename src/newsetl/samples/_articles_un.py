"""Story A: a (fictional) UN report on money laundering, covered in it/es/de plus an MT English copy.

All prose here is original and fictional; people named below do not exist. In-article hrefs are
site-relative here and made absolute by :mod:`newsetl.samples.build_site`.
"""

from __future__ import annotations

UN_IT = {
    "path": "it/2026/11/onu-rapporto-riciclaggio.html",
    "lang": "it",
    "locale": "it_IT",
    "published": "2026-11-17T09:30:00+01:00",
    "author": "Giulia Ferrante",
    "title": "Riciclaggio, l'ONU: «L'Europa resta un crocevia per i capitali illeciti»",
    "description": "Un rapporto delle Nazioni Unite stima fino a 1.200 miliardi di dollari di "
    "flussi illeciti l'anno e chiede registri dei titolari effettivi condivisi.",
    "jsonld": True,
    "paragraphs": [
        'Un nuovo rapporto delle <a href="/it/2026/11/onu-rapporto-riciclaggio.html">Nazioni '
        "Unite</a> pubblicato martedì a Vienna stima che ogni anno tra 800 e 1.200 miliardi di "
        "dollari di provenienza illecita attraversino il sistema finanziario internazionale. Il "
        "documento, curato dall'Ufficio delle Nazioni Unite contro la droga e il crimine (UNODC), "
        "dedica un intero capitolo al riciclaggio di denaro attraverso società di comodo, "
        "criptovalute e compravendite immobiliari.",
        "La relatrice speciale Samira Haddad Benali, che ha coordinato il gruppo di lavoro, ha "
        "spiegato che attualmente meno del due per cento dei flussi sospetti viene sequestrato. "
        "«Non mancano le leggi, mancano prove e dati condivisi tra le autorità», ha detto Benali "
        "durante la conferenza stampa, ricordando che molte indagini si fermano al primo confine.",
        "Il rapporto cita l'Austria e i Paesi Bassi tra gli Stati europei che hanno rafforzato i "
        "controlli sui registri dei titolari effettivi, mentre indica l'Iran e la Corea del Nord "
        "come giurisdizioni ad alto rischio. La Russia ha criticato la metodologia dello studio, "
        "definendola «politicamente orientata» e annunciando una replica formale all'Assemblea "
        "generale.",
        'Molte <a href="/en/2026/11/rights-group-whatsapp-disinformation.html">organizzazioni per '
        "i diritti umani</a> hanno accolto con favore le raccomandazioni, in particolare la "
        "proposta di proteggere i giornalisti e gli informatori che denunciano i flussi sospetti. "
        "Secondo gli autori, in almeno dodici Paesi le querele temerarie vengono usate per "
        "scoraggiare le inchieste sul denaro sporco.",
        "In Italia, secondo il documento, le segnalazioni di operazioni sospette sono cresciute "
        "del nove per cento in un anno, soprattutto nel settore dei giochi online e dei "
        "trasferimenti di denaro. La lotta al riciclaggio di denaro, avverte il testo, richiede "
        "però analisti specializzati e banche dati interoperabili, non soltanto nuove norme.",
        "Il rapporto sarà presentato all'Assemblea generale a metà dicembre. Nel frattempo la "
        "Commissione europea ha fatto sapere che valuterà le raccomandazioni nell'ambito della "
        "nuova autorità antiriciclaggio con sede a Francoforte, che entrerà pienamente in "
        "funzione il prossimo anno. Anche la stampa spagnola e quella tedesca hanno dato ampio "
        'spazio al documento, come <a href="/es/2026/11/onu-informe-blanqueo.html">El Diario '
        "Común</a> a Madrid.",
    ],
    "entities": [
        {"surface": "Nazioni Unite", "type": "ORG", "canonical": "United Nations"},
        {"surface": "ONU", "type": "ORG", "canonical": "United Nations"},
        {
            "surface": "Ufficio delle Nazioni Unite contro la droga e il crimine",
            "type": "ORG",
            "canonical": "United Nations Office on Drugs and Crime",
        },
        {
            "surface": "UNODC",
            "type": "ORG",
            "canonical": "United Nations Office on Drugs and Crime",
        },
        {"surface": "Samira Haddad Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Vienna", "type": "LOC", "canonical": "Vienna"},
        {"surface": "Austria", "type": "LOC", "canonical": "Austria"},
        {"surface": "Iran", "type": "LOC", "canonical": "Iran"},
        {"surface": "Russia", "type": "LOC", "canonical": "Russia"},
        {"surface": "Commissione europea", "type": "ORG", "canonical": "European Commission"},
    ],
    "artefacts": [],
}

UN_EN_MT = {
    "path": "en/2026/11/un-report-money-laundering.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-17T11:05:00+01:00",
    "author": "Giulia Ferrante",
    "title": "Money laundering, the UN: \u201cEurope remains a crossroads for illicit capitals\u201d",
    "description": "A report of the United Nations estimates up to 1,200 billion dollars of "
    "illicit flows per year and asks for shared registers of the beneficial owners.",
    "translation_of": UN_IT["path"],
    "jsonld": False,
    "paragraphs": [
        "A new report of the"
        '<a href="/en/2026/11/un-report-money-laundering.html">United Nations</a> published on '
        "Tuesday in Vienna estimates that every year between 800 and 1,200 billion dollars of "
        "illicit provenance cross the international financial system. The document, edited by "
        "the United Nations Office against the drug and the crime (UNODC), dedicates an entire "
        "chapter to the money laundering through shell companies, cryptocurrencies and real "
        "estate sales.",
        "The special rapporteur Samira Haddad Benali, who coordinated the working group, "
        "explained that actually less than two per cent of the suspicious flows is seized. "
        "\u201cThe laws are not missing, what is missing is evidence e data shared between the "
        "authorities,\u201d said Benal during the press conference, recalling that many "
        "investigations stop at the first border.",
        "The report cites The'Austria and the Netherlands among the European states that have "
        "strengthened the checks on the registers of the beneficial owners, while it indicates "
        "THE'Iran and North Korea as high-risk jurisdictions. There Russia has criticised the "
        "methodology of the study, calling it \u201cpolitically oriented\u201d and announcing a "
        "formal reply to the General Assembly.",
        'Many <a href="/en/2026/11/rights-group-whatsapp-disinformation.html">Human rights '
        "organisations</a> have welcomed the recommendations, in particular the proposal to "
        "protect the journalists and the whistleblowers who denounce the suspicious flows. "
        "According to the authors, in at least twelve countries the reckless lawsuits are used "
        "to discourage the investigations on the dirty money.",
        "In Italy, according to the document, the reports of suspicious operations have grown by "
        "nine per cent in one year, above all in the sector of online games and money "
        "transfers. The fight against riciclaggio di denaro, warns the text, requires however "
        "specialised analysts and interoperable databases, not only new rules.",
        "The report will be presented to the General Assembly in mid-December. In the meantime "
        "the European Commission has made known that it will evaluate the recommendations in "
        "the framework of the new anti-money laundering authority based in Frankfurt, which "
        "will enter fully into function next year. Also the Spanish press and the German one "
        'have given ample space to the document, like <a href="/es/2026/11/onu-informe-blanqueo'
        '.html">El Diario Común</a> in Madrid.',
    ],
    "entities": [
        {"surface": "United Nations", "type": "ORG", "canonical": "United Nations"},
        {
            "surface": "UNODC",
            "type": "ORG",
            "canonical": "United Nations Office on Drugs and Crime",
        },
        {"surface": "Samira Haddad Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Benal", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Austria", "type": "LOC", "canonical": "Austria"},
        {"surface": "Iran", "type": "LOC", "canonical": "Iran"},
        {"surface": "Russia", "type": "LOC", "canonical": "Russia"},
        {"surface": "European Commission", "type": "ORG", "canonical": "European Commission"},
    ],
    "artefacts": [
        {
            "kind": "glued_tokens",
            "surface": "theUnited Nations",
            "expected_repair": "the United Nations",
        },
        {"kind": "false_friend", "surface": "actually", "expected_repair": "currently"},
        {
            "kind": "untranslated_function_word",
            "surface": "evidence e data",
            "expected_repair": "evidence and data",
        },
        {"kind": "truncated_name", "surface": "Benal", "expected_repair": "Benali"},
        {"kind": "calque_elided_article", "surface": "The'Austria", "expected_repair": "Austria"},
        {"kind": "calque_elided_article", "surface": "THE'Iran", "expected_repair": "Iran"},
        {
            "kind": "calque_article",
            "surface": "There Russia has criticised",
            "expected_repair": "Russia has criticised",
        },
        {
            "kind": "capitalisation",
            "surface": "Many Human rights",
            "expected_repair": "Many human rights",
        },
        {
            "kind": "untranslated_span",
            "surface": "riciclaggio di denaro",
            "expected_repair": "money laundering",
        },
    ],
}

UN_ES = {
    "path": "es/2026/11/onu-informe-blanqueo.html",
    "lang": "es",
    "locale": "es_ES",
    "published": "2026-11-17T13:20:00+01:00",
    "author": "Lucía Montalbán",
    "title": "La ONU alerta de que Europa sigue siendo un destino para el dinero sucio",
    "description": "Un informe de Naciones Unidas calcula que hasta 1,2 billones de dólares de "
    "origen ilícito circulan cada año por el sistema financiero.",
    "jsonld": True,
    "paragraphs": [
        "Naciones Unidas ha publicado este martes en Viena un informe que calcula que hasta 1,2 "
        "billones de dólares de origen ilícito circulan cada año por el sistema financiero "
        "internacional. El estudio, elaborado por la Oficina de las Naciones Unidas contra la "
        "Droga y el Delito (UNODC), señala el blanqueo de capitales a través de sociedades "
        "pantalla, criptomonedas e inmuebles como la principal vía para integrar ese dinero en "
        "la economía legal.",
        "La relatora especial Samira Haddad Benali, que dirigió el grupo de trabajo, explicó que "
        "actualmente se decomisa menos del dos por ciento de los fondos sospechosos. Según "
        "Haddad Benali, el problema no es la falta de leyes sino la escasa cooperación entre "
        "las unidades de inteligencia financiera de los distintos países.",
        'El documento recuerda las recomendaciones del <a href="/de/2026/11/uno-bericht-'
        'geldwaesche.html">Grupo de Acción Financiera Internacional</a> (GAFI) y pide que los '
        "registros de titulares reales sean accesibles para periodistas y organizaciones de la "
        "sociedad civil. El GAFI, con sede en París, revisará en febrero la lista de "
        "jurisdicciones bajo vigilancia reforzada.",
        "España aparece en el informe como uno de los países que más ha mejorado en la "
        "supervisión de notarios y registradores, aunque los autores advierten de que el sector "
        "inmobiliario de la costa mediterránea sigue siendo vulnerable. La ONU calcula que una "
        "de cada cinco compraventas de lujo analizadas se pagó a través de estructuras "
        "societarias opacas.",
        "Rusia rechazó las conclusiones y acusó a los autores de sesgo político, mientras que "
        "varias organizaciones de defensa de los derechos humanos pidieron a los gobiernos "
        "europeos que protejan a los denunciantes. El informe se presentará ante la Asamblea "
        "General a mediados de diciembre, y la Comisión Europea ya ha anunciado que estudiará "
        "sus propuestas.",
        "Los autores insisten en que no se trata solo de perseguir a los grandes cárteles. "
        "Pequeñas transferencias repetidas, pagos en efectivo por debajo del umbral de control "
        "y cuentas abiertas con documentos prestados forman, según el texto, una red difícil de "
        "detectar para bancos con pocos analistas.",
    ],
    "entities": [
        {"surface": "Naciones Unidas", "type": "ORG", "canonical": "United Nations"},
        {"surface": "ONU", "type": "ORG", "canonical": "United Nations"},
        {
            "surface": "UNODC",
            "type": "ORG",
            "canonical": "United Nations Office on Drugs and Crime",
        },
        {
            "surface": "Grupo de Acción Financiera Internacional",
            "type": "ORG",
            "canonical": "Financial Action Task Force",
        },
        {"surface": "GAFI", "type": "ORG", "canonical": "Financial Action Task Force"},
        {"surface": "Samira Haddad Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Haddad Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Viena", "type": "LOC", "canonical": "Vienna"},
        {"surface": "Rusia", "type": "LOC", "canonical": "Russia"},
        {"surface": "Comisión Europea", "type": "ORG", "canonical": "European Commission"},
    ],
    "artefacts": [],
}

UN_DE = {
    "path": "de/2026/11/uno-bericht-geldwaesche.html",
    "lang": "de",
    "locale": "de_DE",
    "published": "2026-11-17T15:45:00+01:00",
    "author": "Jonas Brenner",
    "title": "UN-Bericht: Europa bleibt Drehscheibe für schmutziges Geld",
    "description": "Die Vereinten Nationen schätzen die illegalen Finanzströme auf bis zu 1,2 "
    "Billionen Dollar im Jahr und fordern offene Transparenzregister.",
    "jsonld": False,
    "paragraphs": [
        "Die Vereinten Nationen schätzen, dass jedes Jahr bis zu 1,2 Billionen Dollar aus "
        "kriminellen Geschäften durch das internationale Finanzsystem fließen. Das geht aus "
        "einem Bericht hervor, den das Büro der Vereinten Nationen für Drogen- und "
        "Verbrechensbekämpfung (UNODC) am Dienstag in Wien vorgestellt hat. Im Mittelpunkt "
        "steht die Geldwäsche über Briefkastenfirmen, Kryptowährungen und Immobilien.",
        "Die Sonderberichterstatterin Samira Haddad Benali sagte, derzeit werde weniger als "
        "zwei Prozent der verdächtigen Gelder tatsächlich beschlagnahmt. Es fehle nicht an "
        "Gesetzen, sondern an geteilten Daten und an Ermittlern, die über Grenzen hinweg "
        "zusammenarbeiten dürften.",
        "Österreich und die Niederlande werden in dem Bericht ausdrücklich gelobt, weil sie "
        "ihre Transparenzregister für wirtschaftlich Berechtigte ausgebaut haben. Deutschland "
        "schneidet gemischt ab: Zwar sei die Zahl der Verdachtsmeldungen gestiegen, doch "
        "blieben viele davon monatelang unbearbeitet. Die Autoren verweisen auf die Financial "
        "Action Task Force (FATF), die im Februar ihre Liste der Länder unter verstärkter "
        "Beobachtung überarbeitet.",
        "Russland wies die Ergebnisse als politisch motiviert zurück. Menschenrechtsgruppen "
        "begrüßten dagegen die Forderung, Journalistinnen und Hinweisgeber besser vor "
        "Einschüchterungsklagen zu schützen. Nach Angaben der UN werden solche Klagen in "
        "mindestens zwölf Staaten gezielt gegen Recherchen zu Finanzkriminalität eingesetzt.",
        'Die EU-Kommission kündigte an, die Empfehlungen bei der neuen <a href="/it/2026/11/'
        'onu-rapporto-riciclaggio.html">Anti-Geldwäsche-Behörde</a> in Frankfurt am Main zu '
        "prüfen. Die Behörde soll im kommenden Jahr voll arbeitsfähig sein und zunächst "
        "vierzig grenzüberschreitend tätige Finanzinstitute direkt beaufsichtigen.",
        "Der Bericht soll Mitte Dezember der UN-Generalversammlung in New York vorgelegt "
        "werden. Fachleute erwarten eine lebhafte Debatte, denn mehrere Staaten lehnen "
        "öffentlich zugängliche Register bislang aus Datenschutzgründen ab.",
        "Der Bericht beschreibt auch weniger spektakuläre Methoden: wiederholte kleine "
        "Überweisungen knapp unter der Meldeschwelle, Bargeldeinzahlungen über mehrere "
        "Filialen und Konten, die mit geliehenen Ausweisen eröffnet wurden. Gerade kleinere "
        "Banken mit wenigen Analysten könnten solche Muster kaum erkennen, heißt es.",
    ],
    "entities": [
        {"surface": "Vereinten Nationen", "type": "ORG", "canonical": "United Nations"},
        {"surface": "UN", "type": "ORG", "canonical": "United Nations"},
        {
            "surface": "UNODC",
            "type": "ORG",
            "canonical": "United Nations Office on Drugs and Crime",
        },
        {
            "surface": "Financial Action Task Force",
            "type": "ORG",
            "canonical": "Financial Action Task Force",
        },
        {"surface": "FATF", "type": "ORG", "canonical": "Financial Action Task Force"},
        {"surface": "Samira Haddad Benali", "type": "PER", "canonical": "Samira Haddad Benali"},
        {"surface": "Wien", "type": "LOC", "canonical": "Vienna"},
        {"surface": "Österreich", "type": "LOC", "canonical": "Austria"},
        {"surface": "Russland", "type": "LOC", "canonical": "Russia"},
        {"surface": "EU-Kommission", "type": "ORG", "canonical": "European Commission"},
    ],
    "artefacts": [],
}

ARTICLES = [UN_IT, UN_EN_MT, UN_ES, UN_DE]
