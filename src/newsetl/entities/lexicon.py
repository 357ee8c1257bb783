"""Small multilingual word lists that give capitalised words their meaning.

Why hand lists: no PyPI package ships multilingual honorifics, organisation keywords or
sentence-opening function words, and a few dozen words per language cover news prose well.
All entries are in :func:`newsetl.entities.text.norm` form (no accents, lowercase).
"""

from __future__ import annotations

from functools import lru_cache

from .text import norm


def _words(text: str) -> frozenset[str]:
    return frozenset(norm(w) for w in text.split())


def _phrases(text: str) -> frozenset[str]:
    """Comma-separated phrases of one or more words."""
    return frozenset(norm(p) for p in text.split(",") if p.strip())


#: Titles and roles written before a person's name; never part of the name span.
TITLES = _words(
    """president presidente presidenta president praesident prasident prasidentin premier
    minister ministra ministro ministre ministerin chancellor cancelliere chancelier canciller
    kanzler kanzlerin mr mrs ms miss dr prof mme mlle m herr frau sr sra sig signor signora dott
    don dona senor senora senhor senhora monsieur madame judge justice senator senatore senateur
    governor governatore gouverneur gobernador mayor sindaco maire alcalde prefeito burgermeister
    buergermeister general generale king queen prince princess re regina roi reine rey reina
    pope ambassador ambassadrice ambassadeur ambasciatore ambasciatrice embajador embajadora
    embaixador embaixadora botschafter botschafterin secretary segretario segretaria secretaire
    secretario secretaria commissioner commissario commissaire comisario chairman chairwoman
    ceo director directeur direttore direktor sheikh emir sultan rabbi cardinal bishop vescovo
    eveque obispo archbishop father
    generalsekretar generalsekretarin spokesman spokeswoman sprecher sprecherin portavoce
    coach allenatore entrenador trainer captain capitano delegate delegato delegado expert
    esperto experto representative rappresentante representante vice deputy"""
)

#: German role compounds end in these (Umweltministerin, Verkehrsreferent, Generalsekretär).
TITLE_SUFFIXES = tuple(
    norm(w)
    for w in [
        "minister",
        "ministerin",
        "prasident",
        "prasidentin",
        "kanzler",
        "kanzlerin",
        "sekretar",
        "sekretarin",
        "referent",
        "referentin",
        "chef",
        "chefin",
        "sprecher",
        "sprecherin",
        "direktor",
        "direktorin",
        "botschafter",
        "botschafterin",
        "burgermeister",
        "burgermeisterin",
        "vorsitzende",
        "vorsitzender",
        "trainer",
    ]
)

#: Words that make a capitalised phrase an organisation.
ORG_WORDS = _words(
    """organisation organization organizzazione organizacion organizacao bank banca banque banco
    commission commissione comision comissao kommission council consiglio conseil consejo
    conselho rat court corte cour tribunal gericht gerichtshof agency agenzia agence agencia
    agentur fund fondo fonds fundo union unione unio uniao ministry ministero ministere ministerio
    ministerium party partito parti partido partei watch institute istituto institut instituto
    university universita universite universidad universidade universitat association
    associazione associacao asociacion verband federation federazione federacion committee
    comitato comite ausschuss parliament parlamento parlement parlament corporation company
    inc ltd llc plc gmbh ag spa sa srl group gruppo groupe grupo gruppe airways airlines
    motors foundation fondazione fondation fundacion stiftung authority autorita autorite
    autoridad behorde office ufficio bureau amt service servizio servicio dienst police polizia
    polizei policia army esercito armee ejercito forces assembly assemblea assemblee asamblea
    senate senato senat congress congresso congres congreso bundestag network club fc ac
    dinamo sporting olympique unie raad commissie ministerie partij universiteit vereniging
    stichting rechtbank hof agentschap dienst cassa caisse caja kasse exchange bolsa borsa
    bourse börse beurs"""
)

TREATY_WORDS = _words(
    """treaty agreement accord accords convention protocol pact charter trattato accordo
    convenzione protocollo patto carta traite convention protocole pacte charte tratado acuerdo
    convenio protocolo pacto acordo vertrag abkommen ubereinkommen protokoll pakt charta"""
)
LAW_WORDS = _words(
    """act law bill directive regulation code legge decreto direttiva regolamento codice loi
    decret directive reglement ley decreto directiva reglamento lei diretiva gesetz
    richtlinie verordnung"""
)
EVENT_WORDS = _words(
    """summit conference games olympics cup championship forum election elections war festival
    expo vertice conferenza giochi olimpiadi coppa campionato elezioni guerra sommet conference
    jeux coupe championnat elections guerre cumbre conferencia juegos copa campeonato elecciones
    guerra cimeira conferencia jogos eleicoes gipfel konferenz spiele meisterschaft wahl wahlen
    krieg"""
)

#: Head nouns that may stand alone for a longer name already in the text ("the Commission").
HEAD_NOUNS = ORG_WORDS | TREATY_WORDS | LAW_WORDS | EVENT_WORDS

#: Lowercase words allowed inside a multi-word name ("Bank of England", "Banca d'Italia").
CONNECTORS = _words(
    """of the for de des du del della delle dei degli di da do dos das von van
    la le los las al el bin ibn zu d' l' dell'"""
)

#: Articles that may carry a capital anywhere ("The European ...", "Der Vertrag"): a name
#: found after them starts after them.
ARTICLES = _words(
    """the a an der die das den dem des ein eine einen le la les il lo gli el los las het een"""
)

#: Articles of one language only that may begin a name written with a capital mid-sentence
#: ("o jornal O Globo", "em A Coruña"); see ``_Doc.keep_capitalised_articles``.
NAME_ARTICLES: dict[str, frozenset[str]] = {
    "pt": frozenset({"o", "a", "os", "as"}),
    "gl": frozenset({"o", "a", "os", "as"}),
    "nl": frozenset({"de"}),
}

#: Languages whose style capitalises only the first word of an institution's name, the
#: adjectives after it staying in lower case: Italian "Corte suprema", "Banca centrale",
#: French "Cour suprême" (Spanish and Portuguese capitalise every full word: "Corte
#: Suprema", so a lower-case adjective there is outside the name: "el Gobierno español").
#: See ``_Doc._name_goes_on_lowercase``.
FIRST_WORD_CAPITAL_LANGUAGES = frozenset({"it", "fr"})
#: Endings of Romance infinitives, the dictionary form (lemma) of every verb form.
INFINITIVE_ENDINGS = ("are", "ere", "ire", "ar", "er", "ir", "ír", "re")

#: Languages whose names never contain a lowercase word between capitalised ones: a
#: preposition there separates two names ("z Rosji do Niemiec").
NO_NAME_CONNECTOR_LANGUAGES = frozenset(
    {"pl", "cs", "sk", "sl", "hr", "sr", "bs", "bg", "ru", "uk", "be", "mk", "fi", "hu", "et",
     "lt", "lv"}
)  # fmt: skip
#: Heads that an English "of" may follow inside one name, besides organisation, treaty,
#: law and event words and titles ("Gulf of Mexico", "Queen of the South", "Isle of Man").
OF_HEADS = _words(
    """gulf bay sea isle island islands straits strait cape lake mount republic kingdom state
    states emirate sultanate duchy province county city district port church cathedral
    queen king prince princess duke duchess earl lord lady house bank museum school college
    academy hospital order society league"""
)

#: Words after a number that make it a quantity, not part of the name before it.
UNIT_WORDS = _words(
    """percent per cent points goals runs wickets votes seats days weeks months years hours
    minutes seconds times people million billion trillion km miles metres meters kg tonnes
    euros dollars pounds"""
)
#: Words after a number that say it is part of a name ("Nord Stream 2 pipeline").
NAME_NUMBER_NOUNS = _words("pipeline project season series model programme program mission")

#: Words that often open a sentence or headline with a capital but never begin a name.
SENTENCE_OPENERS = _words(
    """the a an this that these those his her its their our my your he she it they we you i
    there here when while after before during since as if but and or so yet also then thus
    however meanwhile according on in at by for from with without about over under to of
    il lo la i gli le un una uno questo questa quello quella secondo anche ma e o se quando
    mentre dopo prima durante per con da di in su tra fra nel nella del della
    le la les un une des ce cette ces selon aussi mais et ou si quand pendant apres avant
    pour avec dans sur par de du au aux lui elle ils elles nous vous
    el la los las un una unos unas este esta estos estas segun tambien pero y o si cuando
    mientras despues antes durante para con en sobre por de del al
    o a os as um uma segundo tambem mas e ou se quando enquanto depois antes durante para com em
    no na nos nas do da dos das pelo pela
    der die das den dem des ein eine einen einem einer dieser diese dieses auch aber und oder
    wenn als wahrend nach vor fur mit in an auf von zu im am vom zum zur bei seit
    sein seine seinen seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere
    mein meine kein keine keinen jede jeder jedes alle viele man es sie er wir
    son sa ses leur leurs notre nos su sus nuestro nuestra suo sua suoi sue seu sua seus
    suas zijn haar hun onze de het een"""
)

#: German descriptor nouns written before an organisation's name ("Fahrgastverband Pro Bahn").
DE_ORG_DESCRIPTOR_SUFFIXES = tuple(
    sorted(
        _words(
            """verband konzern hersteller bauer gesellschaft partei gewerkschaft unternehmen
            verein club institut behorde"""
        )
    )
)

#: Last parts of German compound nouns that name an institution ("Wetterdienst",
#: "Bundesamt", "Landesbank", "Verfassungsgericht"), in norm form.
DE_INSTITUTION_SUFFIXES = tuple(
    sorted(
        _words(
            """dienst amt bank gericht gerichtshof ministerium behorde agentur institut verband
            gesellschaft stiftung anstalt kammer kommission versicherung zentrale"""
        )
    )
)
#: Adjective stems of German institution names: national and regional ones ("Deutscher",
#: "Bayerische", "Europäisches") and the few generic ones such names use.
DE_NAME_ADJECTIVES = ("isch", "deutsch", "ional", "zentral", "federal", "statistisch")

#: All-caps words that are not names.
NON_ENTITY_ACRONYMS = _words(
    """ceo cfo coo cto gdp pil pib bip ai ia ki tv pm am ok dna adn rna covid co2 eur usd gbp
    chf gmt utc cet pdf vat iva tva mwst sms faq ipo esg pc it hr ngo ong pr uv hiv aids
    sars ii iii iv vi vii viii ix xi xii xx xxi"""
)

#: Verbs of saying (one or two words); a capitalised phrase right next to one is a person.
SPEECH_VERBS = _phrases(
    """said, says, told, added, stated, explained, warned, announced, believes, believed,
    ha detto, dice, ha spiegato, ha dichiarato, ha annunciato, a declare, a dit, dit, a explique,
    a annonce, estime, dijo, afirmo, anadio, explico, anuncio, disse, afirmou, declarou, sagte,
    sagt, erklarte, betonte"""
)

#: Words after ", " that introduce a relative clause about a person ("X, who led ...").
WHO_WORDS = _words("who whose che chi qui dont que quien quienes der die welcher welche")

ACRONYM_MAX = 8

#: English adjective endings of place names ("Amazonian", "Congolese", "Caribbean").
EN_DEMONYM_ENDINGS = ("ian", "ean", "ese")

#: Words English capitalises that are not names of anything one could link: days, months,
#: nationalities and languages, religions (the regular "-an", "-ish", "-ese", "-i" forms are
#: found by their ending, see en_capitalised_word).
EN_CAPITALISED_WORDS = _words(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    dutch french greek swiss welsh scots czech thai basque catalan english british irish
    scottish spanish turkish danish polish swedish finnish flemish jewish kurdish
    muslim muslims moslem christian christians catholic catholics protestant protestants
    buddhist hindu sikh islamic arab arabs arabic latin celtic nordic baltic
    europeans americans africans asians israelis palestinians"""
)
_EN_DEMONYM_SUFFIXES = ("an", "ans", "ian", "ians", "ean", "eans", "ese", "ish", "i", "is")


@lru_cache(maxsize=65536)
def en_capitalised_word(word: str) -> bool:
    """Is this an English word written with a capital that names no single thing ("Monday",
    "Russian", "Israelis", "Turkish")? A given name or surname never is ("Brian", "Christian"
    as a first name is ambiguous and treated as a name only with other evidence)."""
    n = norm(word)
    if n in EN_CAPITALISED_WORDS:
        return True
    if not n.endswith(_EN_DEMONYM_SUFFIXES) or len(n) < 5:
        return False
    from .names import first_names, last_names

    return n not in first_names() and n not in last_names() and zipf(n, "en") >= 3.0


def is_title(word: str) -> bool:
    """Honorific or role word ("President", "Secretary-General", "Umweltministerin")."""
    n = norm(word)
    if n in TITLES or (len(n) > 8 and n.replace(" ", "").endswith(TITLE_SUFFIXES)):
        return True
    parts = n.split()
    return len(parts) > 1 and any(p in TITLES or p.endswith(TITLE_SUFFIXES) for p in parts)


#: Prepositions that put a place name right after them, per language (no article between:
#: German "in der Mitte" is not the district "in Mitte"). "to", "from" and "a" are left out:
#: "according to Toyota", "a Toyota dealer".
LOCATIVES: dict[str, frozenset[str]] = {
    "en": _words("in at near outside"),
    "fr": _words("à a près depuis"),
    "it": _words("a presso vicino"),
    "es": _words("en cerca desde"),
    "pt": _words("em perto"),
    "de": _words("in nach aus bei"),
    "nl": _words("in naar uit bij te nabij"),
}

#: The languages most of the ingested news is in; a word common in any of them is not taken
#: for a small town's name.
NEWS_LANGUAGES = ("en", "fr", "de", "it", "es", "pt", "nl")

#: Codes langdetect/lingua give that wordfreq knows under another name.
_WORDFREQ_ALIASES = {"hr": "sh", "bs": "sh", "sr": "sh", "nn": "nb", "no": "nb", "tl": "fil"}


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages())


@lru_cache(maxsize=65536)
def zipf(word: str, language: str) -> float:
    """How common ``word`` is as an ordinary word (wordfreq Zipf scale; 0 when unknown).

    Languages wordfreq does not cover fall back to English; a language whose tokenizer needs an
    optional package (MeCab for Korean/Japanese) answers 0 rather than failing the article.
    Read from the shared compact lists (:mod:`newsetl.text.lexdata`), not wordfreq's dicts."""
    from newsetl.text.lexdata import zipf_frequency

    lang = _WORDFREQ_ALIASES.get(language, language)
    lang = lang if lang in _wordfreq_languages() else "en"
    try:
        return zipf_frequency(word.lower(), lang)
    except Exception:  # e.g. ModuleNotFoundError('MeCab') for ko/ja
        return 0.0


@lru_cache(maxsize=65536)
def zipf_small(word: str, language: str) -> float:
    """:func:`zipf` from wordfreq's "small" lists (~3.5 MB per language instead of 30-60 MB).

    For questions about other languages than the text's, asked in every worker process: the
    small lists hold every word down to Zipf 3, below any threshold they are used with."""
    from newsetl.text.lexdata import zipf_frequency

    lang = _WORDFREQ_ALIASES.get(language, language)
    if lang not in _wordfreq_languages():
        return 0.0
    try:
        return zipf_frequency(word.lower(), lang, wordlist="small")
    except Exception:  # a language without a small list, or an optional tokenizer missing
        return 0.0


_MONTHS_AND_DAYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
)  # fmt: skip


@lru_cache(maxsize=64)
def calendar_words(language: str) -> frozenset[str]:
    """Month and weekday names of ``language``, normalised ("março", "maio", "segunda-feira"),
    from dateparser's locale data (declared; htmldate uses it too): Portuguese written before 2009
    and many web pages capitalise them ("14 de Março"), where the capital names no thing.
    Empty when dateparser does not know the language; abbreviations ("mar", "dom") left
    out."""
    try:
        from dateparser.languages import default_loader

        info = default_loader.get_locale(language).info
    except Exception:  # an unknown language or missing locale data: no calendar words
        return frozenset()
    words = {norm(w) for key in _MONTHS_AND_DAYS for w in info.get(key, []) if isinstance(w, str)}
    return frozenset(w for w in words if len(w) >= 4)
