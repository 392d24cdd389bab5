"""Who a noun phrase names as a speaker: a person (name, role), a body, a group or a description.

Attribution finds the phrase (the subject of a speech verb, a transcript label, a credit line);
this turns it into the speaker shown in the digest: the fullest form of the name the text gives,
the role from the words before it or its apposition, two people named together as one joint
speaker, a description resolved to the organisation the text named ("the company" -> Acme Corp).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digests.credits import Credit
from digests.entities import EntityIndex
from digests.lexicon import DETERMINERS, ORG_NOUNS, ROLE_NOUNS, TITLES
from digests.phrases import NAME_CONNECTORS, is_head
from digests.roles import HONORIFICS, courtesy_only, role_text
from digests.tokens import Token
from digests.transcript import speaker_of_label


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    role: str | None
    kind: str | None  # "person", "org", "group" or None
    how: str = ""  # which rule attributed it, for debugging and tests


class SpeakerPhrases:
    """Turns phrases into speakers for one document; remembers each person's first role."""

    def __init__(self, entities: EntityIndex) -> None:
        self.entities = entities
        self._roles_seen: dict[str, str] = {}

    def _label_attr(self, label: str) -> Attribution:
        """A transcript label: a name the text gives in full elsewhere, or a role ("PRIME MINISTER")."""
        speaker = speaker_of_label(label)
        words = speaker.lower().split()
        if all(w.rstrip(".") in TITLES or w in ROLE_NOUNS for w in words):
            return Attribution(speaker, None, "person", "transcript")
        return as_rule(self._name_attr(speaker, None), "transcript")

    def _credit_attr(self, credit: Credit) -> Attribution:
        """A credit line ("President Obama, tweeting after the speech"): titles before the name are
        its role; the words after the comma are, unless they describe an act, not the person."""
        words = credit.name.split()
        k = 0
        while k < len(words) - 1 and words[k].lower().rstrip(".") in TITLES:
            k += 1
        role = " ".join(words[:k]) or None
        after = credit.role
        if after and not after.split()[0].lower().endswith("ing"):
            role = role or after
        return as_rule(self._name_attr(" ".join(words[k:]), role), "credit")

    def _noun_phrase(self, np: list[Token], appositive: list[Token]) -> Attribution:
        words = list(np)
        joint = self._joint_speakers(words)
        if joint is not None:
            return joint if joint.role or not appositive else replace(joint, role=role_text(appositive) or None)
        # "Stephen Vladeck of the University of Texas": the name before "of" is the speaker.
        for i, t in enumerate(words):
            if t.lower in {"of", "for", "at"} and i > 0:
                left = words[:i]
                if left[-1].is_cap and left[-1].lower.rstrip(".") not in TITLES and not is_head(left[-1]):
                    affiliation = [w for w in words[i + 1 :] if w.lower not in DETERMINERS]
                    attr = self._noun_phrase(left, appositive)
                    if attr.role is None and affiliation and attr.kind == "person":
                        role = " ".join(w.text for w in affiliation)
                        return Attribution(attr.speaker, role if len(affiliation) <= 8 else None, attr.kind, attr.how)
                    return attr
                break
        if role_of_body(words):
            return self._description(words)  # "the former secretary of State": a post, no person named
        # Split a trailing name from the role words before it: "Kremlin spokesman Dmitry Peskov".
        k = len(words)
        while k > 0 and (
            (words[k - 1].is_cap and words[k - 1].lower.rstrip(".") not in TITLES)
            or (words[k - 1].lower in NAME_CONNECTORS and k > 1 and words[k - 2].is_cap and k < len(words))
            or (words[k - 1].lower in NAME_CONNECTORS and words[k - 1].text[:1].isupper() and k < len(words))
        ):  # the last: "De Blasio said", a particle capitalised at the start of a sentence
            k -= 1
        while len(words) - k >= 3 and words[k].lower in ROLE_NOUNS:
            k += 1  # "Comedian George Lopez", "Activist Angela Davis": a capitalised role, then the name
        name_toks = words[k:]
        role_toks = words[:k]
        if len(name_toks) >= 2 and role_toks and role_toks[-1].lower == "the" and self._known_person(name_toks[-1]):
            # "the editorial board of the Washington Post Trump said": "the" opens a body's name; the
            # person the text keeps naming on his own stands after it, without a comma.
            name_toks = name_toks[-1:]
        head = words[-1].lower
        if name_toks and (head in ORG_NOUNS or any(t.lower in ORG_NOUNS for t in name_toks)):
            return self._description(words)
        if name_toks and not words[-1].possessive:
            name = " ".join(t.text for t in name_toks[:-1]) + (" " if len(name_toks) > 1 else "") + name_toks[-1].bare
            before = role_text(role_toks)
            if courtesy_only(before):  # "Dr. the Hon. X, Minister of Health": the apposition says more
                role = role_text(appositive) or before or None
            else:
                role = before or role_text(appositive) or None
            return self._name_attr(name, role)
        return self._description(words)

    def _joint_speakers(self, words: list[Token]) -> Attribution | None:
        """'Anna Berg and Tor Lund said', 'a study by economists Peter Schott and Justin Pierce':
        two people named together speak together; a firm named "X and Y" does not split."""
        cut = next((i for i, t in enumerate(words) if t.lower == "and"), -1)
        if cut <= 0 or cut == len(words) - 1 or not (words[cut - 1].is_cap and words[cut + 1].is_cap):
            return None
        left, right = words[:cut], words[cut + 1 :]
        if not all(t.is_cap for t in right):
            return None
        first, second = self._noun_phrase(left, []), self._noun_phrase(right, [])
        if len(left) == 1 and len(right) == 1 and first.kind != "person" and second.kind != "person":
            return Attribution(f"{left[0].text} and {right[0].bare}", None, "org", "name")  # "Marks and Spencer"
        if not (first.speaker and second.speaker and first.kind == "person" and second.kind == "person"):
            return None
        return Attribution(f"{first.speaker} and {second.speaker}", first.role, "group", first.how)

    def _known_person(self, tok: Token) -> bool:
        full = self.entities.full_name(tok.bare)
        return full != tok.bare and self.entities.is_person(full)

    def _name_attr(self, name: str, role: str | None) -> Attribution:
        full = self.entities.full_name(name)
        if role and full not in self._roles_seen:
            self._roles_seen[full] = role
        role = role or self._roles_seen.get(full) or self.entities.role_of(full)
        if role and all(w.lower().rstrip(".") in HONORIFICS for w in role.split()):
            role = None  # "Mr": a form of address, not a role
        is_person = self.entities.is_person(full) or (
            role is not None and any(w.lower().rstrip(".") in TITLES | ROLE_NOUNS for w in role.split())
        )
        if not is_person and len(full.split()) == 1:
            kind = "org"
        else:
            kind = "person" if is_person or len(full.split()) >= 2 else "org"
        if full.isupper() and len(full) <= 6:
            kind = "org"  # an acronym: AFP, CNN, NATO
        return Attribution(full, role, kind, "name")

    def _description(self, words: list[Token]) -> Attribution:
        # "Ukrainian President Volodymyr Zelensky's office": the speaker starts at the owner.
        start = 0
        for i, t in enumerate(words[:-1]):
            if t.possessive and t.is_cap:
                start = i
                while start > 0 and words[start - 1].is_cap and words[start - 1].lower.rstrip(".") not in TITLES:
                    start -= 1
                break
        kept = words[start:]
        while kept and kept[0].lower in DETERMINERS:
            kept = kept[1:]
        if not kept or not any(c.isalpha() for t in kept for c in t.text):
            return Attribution(None, None, None, "empty")  # nothing, or a number ("the 2012 ...")
        text = " ".join(t.text for t in kept)
        head = kept[-1].lower
        plural = head.endswith("s") and not head.endswith("ss") and head not in ORG_NOUNS
        kind = "org" if head in ORG_NOUNS or (kept[-1].is_cap and not plural) else ("group" if plural else "person")
        if len(kept) == 1 and kept[0].is_cap:
            return self._name_attr(kept[0].bare, None)
        if kept[-1].possessive:
            text = " ".join([*(t.text for t in kept[:-1]), kept[-1].bare])  # "the ministry's statement"
        if kind == "org" and start == 0 and words[0].lower == "the" and not any(t.is_cap for t in kept):
            named = self.entities.organisation_before(head, words[0].start)
            if named is not None:  # "Acme Corp cut jobs ... the company said": Acme Corp speaks
                return Attribution(named, None, "org", "description-named")
        return Attribution(text, None, kind, "description")


def as_rule(attr: Attribution, how: str) -> Attribution:
    return Attribution(attr.speaker, attr.role, attr.kind, how)


def role_of_body(words: list[Token]) -> bool:
    """'the former secretary of State', 'a spokesman for the Pentagon': a role noun, then "of",
    "for" or "at" and the body; no capitalised word before it, so no person is named."""
    for i, t in enumerate(words):
        if t.lower in {"of", "for", "at"}:
            before = words[:i]
            return bool(before) and is_head(before[-1]) and not any(w.is_cap for w in before)
    return False
