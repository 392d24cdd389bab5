"""Closed-class English word lists the rule-based summariser reasons with.

These are general English (speech verbs, titles, function words, nouns that name
organisations), not names or phrases from any evaluation set: the summariser must work on
dispatches it has never seen.
"""

from __future__ import annotations


def _inflect(base: str) -> set[str]:
    """Regular inflections of a verb: say -> says, sayed (harmless), saying."""
    forms = {base}
    if base.endswith("e"):
        forms |= {base + "s", base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {base + "es", base + "ed", base + "ing"}
    else:
        forms |= {base + "s", base + "ed", base + "ing"}
        if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
            # admit -> admitted, quip -> quipped (both spellings kept: "edited" is listed too)
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


_SPEECH_BASES = """
say tell add write tweet post state insist claim argue note explain ask continue conclude declare
warn reply respond announce acknowledge admit recall suggest urge describe complain predict vow
promise pledge boast joke quip shout yell scream whisper mutter observe remark comment confirm deny
report testify concede contend assert maintain emphasize emphasise stress caution lament charge
counter retort plead demand propose recount reveal tout blog thunder fume chide mock praise dismiss
brag proclaim repeat reiterate advise agree allege opine wonder muse sigh laugh exclaim accuse
criticize criticise call dub label blast slam attack question decry deride scoff snap cry sneer
tease marvel gush rail rage rant rave beg implore cite quote reason reckon believe think feel
explain elaborate interject interrupt begin start finish end summarize summarise sum describe
characterize characterise hail welcome celebrate defend acknowledge concur disagree object protest
threaten swear recall remind inform instruct announce indicate signal stress underline highlight
hint imply predict forecast estimate calculate express echo
"""

_IRREGULAR = """
said told wrote written writ saying telling spoke spoken speak speaks speaking thought felt
began begun sang swore sworn quipped quipping
"""

SPEECH_VERBS: frozenset[str] = frozenset(
    {form for base in _SPEECH_BASES.split() for form in _inflect(base)} | set(_IRREGULAR.split())
)


#: Speech verbs that most strongly mark direct speech; preferred when several cues compete.
STRONG_SPEECH: frozenset[str] = frozenset(
    _inflect("say")
    | _inflect("add")
    | _inflect("tell")
    | _inflect("write")
    | _inflect("tweet")
    | _inflect("ask")
    | _inflect("continue")
    | _inflect("explain")
    | _inflect("note")
    | _inflect("reply")
    | {"said", "told", "wrote", "saying", "telling"}
)

TITLES: frozenset[str] = frozenset(
    """
mr mrs ms miss mx dr prof sir dame lord lady rev reverend fr father sister brother sheikh imam rabbi sen hon
honourable honorable rt excellency professor
senator rep representative congressman congresswoman gov governor president vice prime minister secretary
chancellor premier king queen prince princess emperor pope cardinal archbishop bishop general gen lt
lieutenant col colonel maj major sgt sergeant capt captain cmdr commander adm admiral judge justice mayor
ambassador chairman chairwoman chair chairperson ceo cfo coo cto director spokesman spokeswoman spokesperson
attorney counsel sheriff commissioner superintendent chief deputy former acting interim late
""".split()
)

#: Words that make a noun phrase a description of a person by role ("the Kremlin spokesman").
ROLE_NOUNS: frozenset[str] = frozenset(
    """
spokesman spokeswoman spokesperson spokespeople official officials aide aides adviser advisers advisor
advisors minister ministers secretary president leader leaders chief head director manager executive chairman
chairwoman chair analyst analysts economist economists expert experts lawyer lawyers attorney attorneys
negotiator negotiators diplomat diplomats source sources member members representative representatives
governor mayor senator senators lawmaker lawmakers legislator legislators candidate candidates nominee
strategist strategists pollster pollsters consultant consultants campaigner campaigners activist activists
researcher researchers professor scientist scientists doctor doctors officer officers commander commanders
general judge prosecutor prosecutors investigator investigators witness witnesses resident residents voter
voters supporter supporters critic critics observer observers trader traders dealer dealers banker bankers
worker workers teacher student students founder owner ceo chairperson president-elect host anchor
correspondent reporter reporters editor columnist author writer historian professor coach player manager
driver captain surgeon nurse official spokesperson partner partners people person man woman men women boy girl
mother father son daughter wife husband friend neighbour neighbor farmer farmers miner miners organiser
organizer organisers organizers donor donors mogul tycoon billionaire magnate comedian actress actor singer
rapper artist musician filmmaker novelist poet playwright designer chef athlete entrepreneur businessman businesswoman
philanthropist activist star ally allies
""".split()
)

#: Nouns that make a noun phrase an organisation, speaking as "it".
ORG_NOUNS: frozenset[str] = frozenset(
    """
ministry department office agency government administration campaign committee party council commission court
union association company corporation corp inc ltd plc group bank board authority authorities police army
military navy force forces service services institute university college school hospital organisation
organization foundation federation league team club firm network newspaper paper magazine channel station
broadcaster website site embassy consulate parliament congress senate house assembly cabinet regime junta
coalition alliance secretariat directorate bureau centre center unit command headquarters movement front fund
exchange operator operators industry maker makers producer producers manufacturer retailer airline carrier
insurer lender regulator regulators watchdog prosecutor's prosecutors' kremlin pentagon white
convention conference summit caucus forum festival olympics championship expo
""".split()
)


#: Words between a subject and its verb that do not end the subject ("has also said").
AUX_ADVERBS: frozenset[str] = frozenset(
    """
has have had was is were are be been being would will 'd 'll shall should could can may might must do does did
also later then previously once repeatedly recently reportedly further earlier again quickly simply just only
often frequently never not n't still already publicly privately flatly bluntly openly clearly even always
sometimes now today yesterday tonight finally angrily proudly firmly quietly loudly subsequently separately
similarly additionally ultimately emphatically tersely curtly sharply frankly candidly famously memorably once
twice
""".split()
)

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
in on at to from with by for of after before during since about over under into onto upon against among
between through without within across behind beyond toward towards than as like via per amid and or but nor so
yet while whereas although though because if when whether unless until that which who whom whose where what
why how this these those there here it its it's they them their he him his she her we us our i me my you your
one ones is are was were be been being has have had do does did will would shall should could can may might
must not no yes
""".split()
)

DETERMINERS: frozenset[str] = frozenset(
    {"the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this", "that"}
)

MONTHS_DAYS: frozenset[str] = frozenset(
    """
january february march april may june july august september october november december jan feb mar apr jun jul
aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""".split()
)

#: Capitalised words that start sentences but are not names.
NOT_NAMES: frozenset[str] = frozenset(
    """
the a an but and or so yet if when while although though because as after before since during in on at to from
with by for of this that these those there here it its he she they we i you his her their our my your what
which who how why where meanwhile however still also then now today yesterday tomorrow despite asked earlier
later last next first second third many most some several few other others another each every all both either
neither no not none one two three four five six seven eight nine ten mr mrs ms dr sen rep gov gen according
under over among between through without within mrs st
indeed instead nonetheless nevertheless moreover furthermore thus hence therefore besides otherwise accordingly
consequently likewise afterwards anyway regardless overall elsewhere more less least
""".split()
)

#: Abbreviations whose final dot does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
mr mrs ms dr prof hon rt sen rep gov gen lt col maj sgt capt cmdr adm st jr sr inc corp co ltd no nos vs rev fr jan
feb mar apr jun jul aug sep sept oct nov dec mt ft calif mass fla ill pa va wash conn tenn ariz colo mich minn
wis okla ore nev neb kan ky md mo la ala ga tex del dept est approx fig u.s u.k u.n e.g i.e a.m p.m ph.d d.c
""".split()
)


#: Words that are never names even when capitalised at the start of a sentence.
COMMON_WORDS: frozenset[str] = NOT_NAMES | FUNCTION_WORDS | AUX_ADVERBS | DETERMINERS


#: Personal pronouns that can be the subject of a speech verb ("he said", "said she").
SUBJECT_PRONOUNS: frozenset[str] = frozenset({"he", "she", "it", "they", "we", "i"})

#: Nouns that report speech: "the ministry's statement that ...", "Trump's claim: ...".
SPEECH_NOUNS: frozenset[str] = frozenset(
    """
statement statements remark remarks comment comments words claim claims assertion insistence promise
promises warning warnings message tweet tweets post letter vow pledge testimony speech response reply
announcement admission argument plea appeal call demand declaration verdict ruling answer finding
""".split()
)

#: Documents that "say" something: "the report said", "the study says".
DOCUMENT_NOUNS: frozenset[str] = frozenset(
    """
report study survey poll memo filing lawsuit complaint indictment editorial analysis audit review
document documents letter statement ruling judgment order release notice suit petition motion
""".split()
)

#: Nouns for the media that relay what others say: "state radio quoted him as saying".
MEDIA_NOUNS: frozenset[str] = frozenset(
    """
agency agencies news newspaper newspapers paper daily weekly radio television tv broadcaster channel station
outlet outlets website site wire magazine tabloid media press network
""".split()
)

#: Words that open a fronted adverbial phrase before a sentence's subject ("Regarding X, ...").
FRONTING: frozenset[str] = frozenset(
    """regarding concerning about after before following despite in on at during since asked speaking
    responding referring unlike like with without amid as when while although though if""".split()
)
