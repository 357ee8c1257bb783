"""Story C: a (fictional) French court ruling on anti-corruption rules, plus its MT English copy,
and a native French rail-strike report. The court, the authority and every person are invented.
"""

from __future__ import annotations

COURT_FR = {
    "path": "fr/2026/11/conseil-arret-marches-publics-corruption.html",
    "lang": "fr",
    "locale": "fr_FR",
    "published": "2026-11-18T18:00:00+01:00",
    "author": "Camille Arnaud",
    "title": "Marchés publics : la Cour administrative suprême confirme l'exclusion des "
    "entreprises condamnées pour corruption",
    "description": "La haute juridiction valide le décret qui écarte des appels d'offres les "
    "sociétés condamnées, un tournant dans la lutte contre la corruption.",
    "jsonld": True,
    "paragraphs": [
        "La Cour administrative suprême a rejeté mercredi le recours de quatre fédérations "
        "patronales contre le décret qui exclut des marchés publics, pendant cinq ans, les "
        "entreprises condamnées pour corruption ou trafic d'influence. Pour les juges, cette "
        "mesure est proportionnée à l'objectif poursuivi, à savoir la lutte contre la "
        "corruption dans l'attribution des contrats de l'État.",
        "Dans ses conclusions, la rapporteure publique Hélène Vasseur-Kerbrat avait rappelé que "
        "la France s'est engagée, en ratifiant la Convention des Nations unies contre la "
        "corruption, à écarter les candidats dont l'intégrité n'est pas établie. Selon "
        "Vasseur-Kerbrat, le décret laisse à chaque acheteur la possibilité de réintégrer une "
        "entreprise qui démontre avoir changé ses pratiques.",
        "Les requérants soutenaient que l'exclusion automatique pénaliserait surtout les "
        "petites entreprises du bâtiment, très présentes dans la construction d'écoles et "
        "d'hôpitaux. La Cour a estimé au contraire que les collectivités pourront "
        "éventuellement accorder une dérogation lorsque aucune autre offre n'est disponible.",
        "L'arrêt vise également les sociétés qui ont contourné les sanctions internationales en "
        "exportant du matériel vers l'Iran. La <a href=\"/fr/2026/11/conseil-arret-marches-"
        "publics-corruption.html\">Haute Autorité pour l'intégrité économique</a> (HAIE) "
        "tiendra un registre public des exclusions, consultable en ligne dès janvier.",
        "Les associations de transparence ont salué une décision « historique ». Le syndicat "
        "des entrepreneurs régionaux a regretté, lui, une procédure « trop lourde pour les "
        "structures de dix salariés » et annonce saisir la Cour européenne des droits de "
        "l'homme.",
        "Selon les chiffres du ministère de l'Économie, environ 2 300 entreprises ont été "
        "condamnées pour des faits d'atteinte à la probité au cours des cinq dernières années. "
        "La plupart d'entre elles n'avaient jamais été écartées d'un appel d'offres, faute "
        "d'outil permettant aux acheteurs publics de vérifier les antécédents.",
    ],
    "entities": [
        {
            "surface": "Cour administrative suprême",
            "type": "ORG",
            "canonical": "Supreme Administrative Court",
        },
        {"surface": "Hélène Vasseur-Kerbrat", "type": "PER", "canonical": "Hélène Vasseur-Kerbrat"},
        {"surface": "Vasseur-Kerbrat", "type": "PER", "canonical": "Hélène Vasseur-Kerbrat"},
        {"surface": "Nations unies", "type": "ORG", "canonical": "United Nations"},
        {
            "surface": "Haute Autorité pour l'intégrité économique",
            "type": "ORG",
            "canonical": "High Authority for Economic Integrity",
        },
        {"surface": "HAIE", "type": "ORG", "canonical": "High Authority for Economic Integrity"},
        {"surface": "France", "type": "LOC", "canonical": "France"},
        {"surface": "Iran", "type": "LOC", "canonical": "Iran"},
    ],
    "artefacts": [],
}

COURT_EN_MT = {
    "path": "en/2026/11/court-ruling-public-contracts-corruption.html",
    "lang": "en",
    "locale": "en_GB",
    "published": "2026-11-18T21:30:00+01:00",
    "author": "Camille Arnaud",
    "title": "Public contracts: the Supreme Administrative Court confirms the exclusion of the "
    "companies condemned for corruption",
    "description": "The high jurisdiction validates the decree which excludes from the calls "
    "for tenders the condemned companies.",
    "translation_of": COURT_FR["path"],
    "jsonld": False,
    "paragraphs": [
        "The Supreme Administrative Court rejected on Wednesday the appeal of four employers' "
        "federations against the decree which excludes from public contracts, for five years, "
        "the companies condemned for corruption or influence peddling. For the judges, this "
        "measure is proportionate to the pursued objective, namely la lutte contre la "
        "corruption in the award of the contracts of the State.",
        "In her conclusions, the public rapporteur Hélène Vasseur-Kerbrat had recalled that "
        "France committed itself, by ratifying the Convention of the"
        '<a href="/en/2026/11/un-report-money-laundering.html">United Nations</a> against corruption, to exclude the '
        "candidates whose integrity is not established. According to Kerbra, the decree "
        "leaves to each buyer the possibility to reinstate a company which demonstrates having "
        "changed its practices.",
        "The applicants argued that the automatic exclusion would penalise above all the small "
        "companies of the building sector, very present in the construction of schools et "
        "hospitals. The Court estimated on the contrary that the local authorities will "
        "eventually be able to grant a derogation when no other offer is available.",
        "The judgment also targets the companies which circumvented the international "
        "sanctions by exporting equipment towards THE'Iran. The High Authority for economic "
        "integrity (HAIE) will keep a public register of the exclusions, consultable online "
        "from January.",
        "The transparency associations greeted a \u201chistoric\u201d decision. The union of "
        "regional entrepreneurs regretted, for its part, a procedure \u201ctoo heavy for the "
        "structures of ten employees\u201d and announces an appeal to the European Court of Human "
        "Rights.",
        "According to the figures of the ministry of the Economy, around 2,300 companies have "
        "been condemned for offences against probity during the last five years. Most of "
        "them had never been excluded from a call for tenders, for lack of a tool allowing "
        "public buyers to verify their records.",
    ],
    "entities": [
        {
            "surface": "Supreme Administrative Court",
            "type": "ORG",
            "canonical": "Supreme Administrative Court",
        },
        {"surface": "Hélène Vasseur-Kerbrat", "type": "PER", "canonical": "Hélène Vasseur-Kerbrat"},
        {"surface": "Kerbra", "type": "PER", "canonical": "Hélène Vasseur-Kerbrat"},
        {"surface": "United Nations", "type": "ORG", "canonical": "United Nations"},
        {"surface": "HAIE", "type": "ORG", "canonical": "High Authority for Economic Integrity"},
        {"surface": "France", "type": "LOC", "canonical": "France"},
        {"surface": "Iran", "type": "LOC", "canonical": "Iran"},
    ],
    "artefacts": [
        {
            "kind": "untranslated_span",
            "surface": "la lutte contre la corruption",
            "expected_repair": "the fight against corruption",
        },
        {"kind": "truncated_name", "surface": "Kerbra", "expected_repair": "Vasseur-Kerbrat"},
        {
            "kind": "glued_tokens",
            "surface": "theUnited Nations",
            "expected_repair": "the United Nations",
        },
        {
            "kind": "untranslated_function_word",
            "surface": "schools et hospitals",
            "expected_repair": "schools and hospitals",
        },
        {"kind": "false_friend", "surface": "eventually", "expected_repair": "possibly"},
        {"kind": "calque_elided_article", "surface": "THE'Iran", "expected_repair": "Iran"},
    ],
    "hard_negatives": ["European Court of Human Rights"],
}

STRIKE_FR = {
    "path": "fr/2026/11/greve-cheminots-trafic-perturbe.html",
    "lang": "fr",
    "locale": "fr_FR",
    "published": "2026-11-19T06:45:00+01:00",
    "author": "Julien Moreau",
    "title": "Grève des cheminots : un TGV sur trois circulera jeudi",
    "description": "Les syndicats réclament une revalorisation des salaires indexée sur "
    "l'inflation. Le trafic sera très perturbé jusqu'au week-end.",
    "jsonld": False,
    "paragraphs": [
        "Le trafic ferroviaire sera fortement perturbé jeudi et vendredi dans toute la France. "
        "Selon les prévisions publiées mercredi soir, un TGV sur trois et un train régional "
        "sur deux circuleront, tandis que les liaisons internationales vers Bruxelles, Londres "
        "et Francfort seront maintenues à moitié.",
        "L'intersyndicale réclame une hausse des salaires de 6 % et une clause d'indexation "
        "automatique sur les prix. « Les cheminots ont perdu l'équivalent d'un mois de salaire "
        "en trois ans », estime Nadia Ferhat, secrétaire générale de la fédération des "
        "conducteurs. La direction propose 3,5 % et une prime unique de 800 euros.",
        "Le mouvement intervient alors qu'en Allemagne, la "
        '<a href="/de/2026/11/bahnstreik-fernverkehr.html">Deutsche Bahn</a> affronte elle '
        "aussi une grève de ses conducteurs. Plusieurs syndicats européens ont annoncé une "
        "journée d'action commune début décembre, une première depuis la crise sanitaire.",
        "Le ministre des Transports a appelé au « sens des responsabilités » et rappelé que le "
        "service minimum doit être garanti aux heures de pointe. Les usagers sont invités à "
        "reporter leurs déplacements ou à échanger leurs billets sans frais jusqu'à dimanche.",
        "Du côté des voyageurs, l'agacement domine. Sur le quai de la gare de Lyon, une "
        "enseignante qui devait rejoindre Marseille pour le week-end dit comprendre les "
        "revendications, mais regrette « d'apprendre la veille au soir que son train est "
        "supprimé ». Les associations d'usagers demandent une information plus précoce.",
        "Les négociations doivent reprendre vendredi matin au ministère. Les syndicats "
        "n'excluent pas de prolonger le mouvement pendant les vacances de Noël si aucune "
        "avancée n'est obtenue sur l'indexation, un scénario que la direction juge « "
        "irresponsable » vis-à-vis des familles.",
    ],
    "entities": [
        {"surface": "Nadia Ferhat", "type": "PER", "canonical": "Nadia Ferhat"},
        {"surface": "Deutsche Bahn", "type": "ORG", "canonical": "Deutsche Bahn"},
        {"surface": "France", "type": "LOC", "canonical": "France"},
        {"surface": "Allemagne", "type": "LOC", "canonical": "Germany"},
        {"surface": "Bruxelles", "type": "LOC", "canonical": "Brussels"},
        {"surface": "Marseille", "type": "LOC", "canonical": "Marseille"},
    ],
    "artefacts": [],
    "hard_negatives": ["Deutsche Bahn", "week-end"],
}

ARTICLES = [COURT_FR, COURT_EN_MT, STRIKE_FR]
