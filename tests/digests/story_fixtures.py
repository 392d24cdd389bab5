"""Small made-up articles for story clustering tests (our own text, no eval data)."""

from __future__ import annotations

from datetime import datetime

STRIKE_AP = (
    "ROTTERDAM, March 3 (AP) — Dock workers at the port of Rotterdam will strike for 48 hours from "
    "Thursday, the FNV union said, after pay talks with terminal operators collapsed.\n\n"
    '"We have been patient for eleven months," union negotiator Marieke de Vos told reporters. '
    "Container terminals operated by ECT and APM handle most of the port's traffic.\n\n"
    "Port chief executive Allard Castelein urged both sides to return to the table. "
    '"Nobody wins when ships sail to Antwerp instead," he said.'
)
STRIKE_BBC = (
    "Rotterdam dockers to walk out over pay\n\n"
    "Thousands of dock workers in Rotterdam, Europe's busiest port, are to stage a 48-hour strike from "
    "Thursday after the FNV union said talks on pay with terminal operators ECT and APM had collapsed. "
    "Marieke de Vos, who leads the union's negotiating team, said members had waited eleven months for "
    "an offer. Allard Castelein, chief executive of the port authority, warned that shipping lines could "
    "divert cargo to Antwerp and Hamburg if the strike at the Rotterdam terminals went ahead."
)
#: The BBC's telling with a quote nobody else has (a new outlet that adds something).
STRIKE_BBC_QUOTED = STRIKE_BBC + (
    '\n\n"Our ships will wait at anchor rather than sail elsewhere," said Jens Holt, a spokesman for Nordline.'
)
STRIKE_AFP = (
    "THE HAGUE, March 4 (AFP) - A 48-hour strike by dock workers will halt container terminals in "
    "Rotterdam from Thursday, the FNV union confirmed, as talks with operators ECT and APM over pay "
    "stalled. Union negotiator Marieke de Vos said the dockers had been patient. The port's chief "
    "executive Allard Castelein said shipping lines might send vessels to Antwerp during the strike."
)
# Same subject (the port of Rotterdam), another event the same week: a fire on a ship.
FIRE = (
    "ROTTERDAM, March 4 (AP) — Firefighters battled a blaze on a car carrier moored in the port of "
    "Rotterdam overnight, the coastguard said. Two crew members were taken to hospital with smoke "
    "inflammation. The Panama-flagged vessel Fremantle Highway was carrying 3,000 electric cars; "
    "salvage company Smit said tugs had moved it clear of the quay. Earlier, coastguard spokesman Edwin "
    "Granneman said the cause of the fire was not yet known."
)
# A round-up of the port's week: the strike and the fire in one article (a bridge between them).
BRIDGE = (
    "ROTTERDAM, March 5 (Reuters) - Europe's busiest port faces a second day of disruption. A 48-hour "
    "strike by dock workers of the FNV union over pay halted the ECT and APM container terminals, "
    "while salvage company Smit kept tugs beside the car carrier Fremantle Highway after the blaze "
    "that sent two crew members to hospital. The coastguard said the cause of the fire was not yet known."
)
# Another city, another industry: nothing in common.
BUDGET = (
    "WELLINGTON, March 4 (Reuters) - New Zealand's finance minister Nicola Willis cut forecasts for "
    "economic growth on Tuesday and said the government would trim spending on consultants, as the "
    "Treasury predicted a deficit for a further two years. Opposition leader Chris Hipkins called the "
    "budget statement a betrayal of nurses and teachers."
)

WHEN = {
    "ap": datetime(2025, 3, 3, 9, 0),
    "bbc": datetime(2025, 3, 3, 11, 30),
    "afp": datetime(2025, 3, 4, 7, 0),
    "fire": datetime(2025, 3, 4, 8, 0),
    "budget": datetime(2025, 3, 4, 9, 0),
    "bridge": datetime(2025, 3, 5, 9, 0),
}
