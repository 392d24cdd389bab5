"""Small dispatches on unrelated subjects, for tests that need many *different* stories.

The bot puts one story's articles in one thread, so tests of plain delivery must not use
texts that differ only by a number (the story clusterer rightly calls those one story).
Our own made-up words: every dispatch has its own place, people, subject and verb.
"""

from __future__ import annotations

PLACES = [
    "Lisbon", "Oslo", "Nairobi", "Quito", "Hanoi", "Tbilisi", "Perth", "Dakar", "Bergen", "Cusco",
    "Tallinn", "Accra", "Porto", "Kyoto", "Tunis", "Halifax", "Malmo", "Cebu", "Riga", "Bilbao",
    "Lusaka", "Darwin", "Sapporo", "Valdivia",
]  # fmt: skip
SUBJECTS = [
    ("ferry operators", "cancelled winter crossings after a hull inspection"),
    ("the orchestra", "premiered a symphony written by a teenage cellist"),
    ("wildlife rangers", "counted a record number of rhino calves"),
    ("the volcano observatory", "raised the alert level after tremors"),
    ("textile factories", "signed a wage agreement with garment unions"),
    ("vineyard owners", "harvested grapes three weeks early in the heat"),
    ("surf lifesavers", "rescued swimmers caught in a rip current"),
    ("fishing cooperatives", "landed the biggest sardine catch in decades"),
    ("tunnel engineers", "broke through the final granite wall"),
    ("archaeologists", "unearthed a terraced granary beneath a car park"),
    ("the chess federation", "banned electronic watches from tournaments"),
    ("cocoa farmers", "blocked roads over falling bean prices"),
    ("the tram company", "ordered forty battery-powered carriages"),
    ("temple monks", "restored a lacquered gate damaged by typhoons"),
    ("olive presses", "reported a bitter drought-hit pressing season"),
    ("lobster fishermen", "protested quotas outside the legislature"),
    ("glassblowers", "reopened a furnace closed since the war"),
    ("typhoon forecasters", "warned coastal villages to evacuate"),
    ("the national library", "digitised medieval parchment maps"),
    ("shipyard welders", "launched an icebreaker for polar research"),
    ("copper miners", "ended a strike after a safety pledge"),
    ("crocodile researchers", "tagged saltwater reptiles in the estuary"),
    ("ski resorts", "opened slopes after an unusually heavy snowfall"),
    ("forest scientists", "planted beech seedlings on burnt hillsides"),
]
PEOPLE = [
    "Ines Morgado", "Sigrid Holm", "Wanjiru Kamau", "Pablo Andrade", "Linh Tran", "Nino Beridze",
    "Kylie Barton", "Awa Diop", "Erlend Vik", "Rosa Quispe", "Kadri Tamm", "Kwame Mensah",
    "Tiago Faria", "Haruto Sato", "Amel Ben Salah", "Owen Doucette", "Freja Lind", "Ramon Dizon",
    "Liga Ozola", "Ane Etxeberria", "Mwila Banda", "Shane Walker", "Yui Takeda", "Tomas Riquelme",
]  # fmt: skip
ROLES = [
    "the harbour master", "the conductor", "the chief ranger", "the observatory director",
    "the union secretary", "the growers' spokeswoman", "the patrol captain", "the cooperative head",
    "the project manager", "the dig leader", "the federation president", "the farmers' leader",
    "the transport chief", "the abbot", "the mill owner", "the fishermen's leader",
    "the master glassblower", "the chief forecaster", "the head librarian", "the yard foreman",
    "the miners' delegate", "the lead researcher", "the resort manager", "the forest ecologist",
]  # fmt: skip


def story(n: int, token: str = "") -> str:
    """Dispatch ``n`` (0-23) on a subject of its own; ``token`` is put in its quote so tests can
    find where it was posted."""
    place, (who, did), person, role = PLACES[n], SUBJECTS[n], PEOPLE[n], ROLES[n]
    quote = f"We have never seen anything like this {token}".strip()
    return (
        f"{place.upper()}, May {n % 28 + 1} (Test Wire) - In {place}, {who} {did} on Monday.\n\n"
        f'"{quote}," said {person}, {role}.\n'
    )
