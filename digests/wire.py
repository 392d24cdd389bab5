"""Conventions of wire copy (AP, Reuters, AFP, ANPA terminals): datelines, the lines above a
story (slug, keyword, byline) and the lines that end it (sign-offs, take marks, time stamps).

These are forms the agencies document and use on every story, written as patterns over a
paragraph whose whitespace is collapsed to single spaces. Each pattern must match a whole
paragraph, so a sentence that merely starts like one ("More than 200 ...", "Reuters reported
...", "End of an era ...") is never taken for one.
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)"
_PLACE_WORD = r"[A-Z][A-Za-z.'’\-]*"
_PLACE = rf"{_PLACE_WORD}(?:[ \-]{_PLACE_WORD}){{0,3}}"
#: AP's ANPA copy writes the dateline dash as an underscore ("LONDON (AP) _ Dockers ...").
_DASH = r"(?:—|–|--|-|:|_)"

#: "Kyiv, Ukraine, Feb 7 (V7N) —", "FRANKFURT, March 4 -", "QUITO, march 3 -", "WASHINGTON (Reuters) -".
DATELINE = re.compile(
    rf"^\s*(?P<place>{_PLACE}(?:,\s*{_PLACE}){{0,2}}?)"
    rf"(?:,\s*(?P<date>{_DATE}))?"
    rf"\s*(?:\((?P<agency>[^()\n]{{1,40}})\))?"
    rf"\s*(?P<dash>{_DASH})\s+"
)

_ZONE = r"(?:GMT|UTC|Z|[ECMP][SD]?T|CET|CEST|BST|IST|JST|HKT|SGT|AE[SD]T|MSK|WIB)"
_STAMP = rf"(?:\d\d-\d\d(?:-\d\d(?:\d\d)?)?\s+)?\d{{1,2}}:?\d{{2}}\s*{_ZONE}"

#: Whole paragraphs that end a story or stand after it.
_SIGN_OFF = re.compile(
    rf"""^(?:
        (?:ENDS?|ENDIT)(?:\W.*)?                      # END, ENDS, END/WD/RH/, ENDIT
      | (?i:ends?)\W*
      | [A-Z]{{1,5}}(?:/[A-Z0-9]{{1,5}})+/?           # desk initials: RH/WD/
      | [a-z]{{2,5}}(?:-[a-z]{{2,5}})*(?:/[a-z]{{2,5}})+   # AFP's: jm/dt, bur-jm/sst
      | (?i:reuters?)(?:\s+[^a-z\s]+)*\W*            # Reuter, REUTER, Reuters 1432 GMT, Reuter &#3;
      | (?:AFP|AP|UPI|dpa|DPA|Xinhua|XINHUA|PTI|IANS|ANI|EFE|ANSA|KYODO|Kyodo|Yonhap|TASS)\W*
      | \(?-*\s*(?:MORE|(?i:more))\s*-*\)?            # MORE, (MORE), -more-: a take continues elsewhere
      | -+\s*(?:0|30)\s*-+                            # -0-, -30-: the end of AP and newspaper copy
      | (?i:x{{2,}})                                  # xxx
      | \#(?:\s*\#)*                                  # ###, # # # (press releases)
      | AP-[A-Z]{{2}}-\d\d-\d\d-\d\d(?:\d\d)?(?:\s+\d{{3,4}}\s*{_ZONE})?\W*   # AP-NY-03-04-24 1432EST
      | {_STAMP}\W*                                   # 1432 GMT, 0932ET, 03-04 1432GMT
      | \((?i:reporting|writing|editing|additional\ reporting|compiled|translated|produced|graphics?
             |research|inputs?|corrects|updates|adds)\b.*\)
      | (?i:reporting|writing|editing|additional\ reporting|compiled)\ (?i:by)\ [A-Z].*
      | \(\(.*\)\)                                    # Reuters contact line: ((name@...; +44 ...))
      | \(This\ (?:story|article|report)\ (?:has|was)\b.*\)
      | (?i:comments?)(?::.*|\s*\(\d+\))?
      | (?:©|\((?i:c)\)).*
      | (?i:copyright)\b(?=.*(?:\d{{4}}|©|\((?i:c)\)|(?i:rights\ reserved))).*
      | (?i:all\ rights\ reserved)\.?
      | Our\ Standards:.*
      | [-=_*#~]{{3,}}
      | Follow\ (?:us|me)\b.*
      | Follow\b.*\ on\ (?:Twitter|X|Facebook|Instagram|Threads|Bluesky|LinkedIn|WhatsApp|Telegram)\W*
      | (?:Read\ more|Share\ this|Click\ here)\b.*
      | Related(?::.*|\ (?:stories|articles|coverage|content|news|links?|topics)\b.*)?
    )\s*$""",
    re.VERBOSE,
)

#: Story-type keywords Reuters and AP put above or in front of a headline.
_STORY_KEYWORDS = (
    r"URGENT|BULLETIN|FLASH|ALERT|ADVISORY|BREAKING(?:\s+NEWS)?|UPDATE(?:\s*\d+)?|CORRECTED|CORRECTION|"
    r"REFILE|REPEAT|RPT|WRAPUP(?:\s*\d+)?|EXCLUSIVE|ANALYSIS|FACTBOX|INSIGHT|PREVIEW|COLUMN|BREAKINGVIEWS|"
    r"INTERVIEW|NEWSMAKER|FEATURE|OPINION|SPECIAL\s+REPORT"
)
_KEYWORDS = rf"{_STORY_KEYWORDS}|EMBARGOED\b.*|(?i:for\s+immediate\s+release)|(?i:press\s+release)|(?i:news\s+release)"
#: A line that is only a keyword: "URGENT", "UPDATE 2", "FOR IMMEDIATE RELEASE".
_KEYWORD_LINE = re.compile(rf"^\^?(?:{_KEYWORDS})\W*$")
#: A keyword heading a headline: "UPDATE 2-Ukraine ready to open corridor".
HEADLINE_PREFIX = re.compile(rf"^(?:{_STORY_KEYWORDS})\s*[-:—–]\s*")
#: "Eds:", "EDITORS:", "Editor's note —": a note to editors above the story.
_EDITORS_NOTE = re.compile(r"^\^?(?i:eds?|editors?|editor['’]s\s+note)\s*[:—–-]")
#: "By Jane Doe", "By JANE DOE and JOHN ROE, Associated Press Writer".
_BYLINE = re.compile(r"^\^?(?i:by)\s+[A-Z][\w.'’\-]*(?:\s+\S+){0,11}$")
_DATE_LINE = re.compile(
    rf"^(?:(?i:published|updated|posted|last\s+updated)\b.*|(?:[A-Z][a-z]+day,?\s+)?{_DATE}\W*(?:\s+[^a-z\s]\S*){{0,4}})$"
)
#: A slug: hyphenated keywords ("BC-Ukraine-Russia", "UKRAINE-CRISIS/KURSK"), or an ANPA header
#: ("a0452 4 f AM-Strike 02-12 0456").
_SLUG_TOKEN = re.compile(r"^\^?[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)+[,<=]*$")
_ANPA_HEADER = re.compile(r"^\^?[a-z]\d{4}\s+.*\d{3,4}\W*$")
#: What may follow a slug's keywords: counts, dates, version words ("1st Ld-Writethru").
_SLUG_REST = re.compile(r"^(?:\S*\d\S*|[A-Z]{1,6}[,<=]*|[A-Z][a-z]{0,2}[,<=]*|\S*(?i:writethru)\S*|[,;<=^]+)$")


#: Longer than this, a paragraph is prose: no sign-off or header line is.
MAX_MARK = 300


def is_sign_off(paragraph: str) -> bool:
    """Is this paragraph (whitespace collapsed) a sign-off, take mark or trailer of wire copy?"""
    return len(paragraph) <= MAX_MARK and bool(_SIGN_OFF.match(paragraph))


def is_keyword(line: str) -> bool:
    """A story-type keyword ("URGENT", "UPDATE 2"), not a place or a headline."""
    return bool(_KEYWORD_LINE.match(line))


def _is_slug(line: str) -> bool:
    if _ANPA_HEADER.match(line):
        return True
    tokens = line.replace(",", " , ").split()
    if not tokens or not _SLUG_TOKEN.match(tokens[0]) or len(line) > 80:
        return False
    rest = tokens[1:]
    if not all(_SLUG_REST.match(t) for t in rest):
        return False
    # "BC-Ukraine-Russia 1st Ld-Writethru": a category code leads; "Ukraine-Russia,0456": only counts follow.
    coded = tokens[0].lstrip("^").split("-")[0].isupper()
    return coded or all(not any(c.isalpha() for c in t) for t in rest)


def header_kind(line: str, after_byline: bool = False) -> str | None:
    """What a line above the story is, if it is one of the wire's header lines (never prose)."""
    if len(line) > MAX_MARK:
        return None
    if _KEYWORD_LINE.match(line):
        return "keyword"
    if _EDITORS_NOTE.match(line):
        return "note"
    if _BYLINE.match(line) and not line.rstrip().endswith("."):
        return "byline"
    if after_byline and len(line.split()) <= 6 and not re.search(r"[.!?]\W*$", line):
        return "credit"  # "Associated Press Writer" under a byline
    if _is_slug(line):
        return "slug"
    if len(line) <= 60 and _DATE_LINE.match(line):
        return "date"
    return None
