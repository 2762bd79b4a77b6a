"""Verdicts on claims of our own about the seed corpus, one table per phenomenon, and the
invariants every result keeps (``test_invariants``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from service.checker import FactChecker
from service.corpus import load_corpus
from service.model import CheckResult, Stance, Verdict

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TOP_K = 20
S, R, C, N = (Verdict.SUPPORTED, Verdict.REFUTED, Verdict.CONFLICTING, Verdict.NOT_ENOUGH_INFO)

Check = Callable[[str], CheckResult]


@pytest.fixture(scope="module")
def check() -> Check:
    """One checker over the seeds for the whole module; each claim is checked once."""
    checker = FactChecker.learn(load_corpus(SEEDS))
    return cache(lambda claim: checker.check(claim, top_k=TOP_K))


def stances(result: CheckResult) -> set[Stance]:
    return {e.stance for e in result.evidence}


def ids(table: list, column: int = 0) -> list[str]:
    """Test ids: the first words of each row's claim."""
    return [" ".join((row if isinstance(row, str) else row[column]).split()[:7]) for row in table]


NUMBERS = [
    ("Russia keeps about 2,000 peacekeepers in the region.", S),
    ("Russia deployed two thousand peacekeepers to the region.", S),
    ("Some six thousand people died in the 2020 war.", S),
    ("Thirty thousand people were killed in the war of the early 1990s.", S),
    ("Azerbaijan offered to return the bodies of up to 100 Armenian soldiers.", S),
    ("At least 130 Armenian soldiers have died.", S),
    ("Russia has some 5,000 peacekeepers in the region.", R),
    ("Russia deployed dozens of peacekeepers to the region.", R),
    ("The 2020 war killed about 60,000 people.", R),
    ("Azerbaijan lost 90 servicemen in the clashes.", R),
    ("Over 150 Armenian soldiers have died.", R),
    # One report says hundreds died in 2020, another thousands, a third about 6,000.
    ("The 2020 war killed hundreds of soldiers.", C),
]
UNITS = [
    ("Azerbaijani forces pushed nearly five miles into Armenian territory.", S),
    ("Azerbaijani troops advanced up to 7.5 km into Armenia.", S),
    ("Azerbaijani units penetrated about 7,500 meters into Armenia.", S),
    ("The 2020 war lasted 44 days.", S),
    ("Azerbaijani troops advanced 12 miles into Armenia.", R),
    ("Azerbaijani troops advanced 20 kilometres into Armenia.", R),
    ("Azerbaijani forces advanced over 10 km into Armenia.", R),
    ("The 2020 war lasted three months.", R),
]

# Revised tolls: (claim, verdict, a figure the explanation must name). The latest count is
# supported and the earlier ones are named as context; an undated earlier count conflicts.
REVISED = [
    ("Armenia's death toll among its troops rose to 135.", S, "105"),
    ("The Armenian military lost 135 soldiers in the border fighting this week.", S, "105"),
    ("Around 135 Armenian troops have died.", S, "105"),
    ("Azerbaijan's death toll rose to 77.", S, "71"),
    ("105 Armenian soldiers were killed in the clashes.", C, "135"),
    ("49 Armenian soldiers were killed in the fighting.", C, "135"),
    ("Azerbaijan lost 71 servicemen in the clashes.", C, "77"),
    ("Azerbaijan lost 50 soldiers.", C, "77"),
]


@pytest.mark.parametrize(("claim", "verdict", "named"), REVISED, ids=ids(REVISED))
def test_revised_toll(check: Check, claim: str, verdict: Verdict, named: str) -> None:
    result = check(claim)
    assert result.verdict is verdict, result.explanation
    assert named in result.explanation
    if verdict is S:
        assert "earlier" in result.explanation.lower()
        assert Stance.REFUTES not in stances(result)  # superseded counts are not contradiction
    else:
        assert {Stance.SUPPORTS, Stance.REFUTES} <= stances(result)


# Figures tied to their speaker or their day: judged against what was said then.
ANCHORED = [
    ("Pashinyan said 105 Armenian soldiers had been killed.", S),
    ("Pashinyan said 135 Armenian troops had died in the fighting.", S),
    ("Armenia said 105 of its soldiers were killed.", S),
    ("Azerbaijan said 71 of its servicemen had been killed.", S),
    ("Azerbaijan's defence ministry raised its death toll from 50 to 71.", S),
    ("Azerbaijan put its military death toll at 77 on Friday.", S),
    ("Azerbaijan lost 50 soldiers on the first day of fighting.", S),
    ("On Friday Azerbaijan reported 71 deaths among its forces.", R),
    ("On Friday Pashinyan said the Armenian death toll had risen to 105.", R),
]

# (claim, verdict, a figure of the other side or of another count that must not support it)
OTHER_SIDE = [
    ("Armenia lost 77 soldiers in the fighting.", R, "77"),
    ("Armenia lost 71 servicemen in the clashes.", R, "71"),
    ("Azerbaijan lost 105 soldiers in the fighting.", R, "105"),
    ("105 Azerbaijani soldiers were killed in the clashes.", R, "105"),
    ("135 Armenian soldiers were wounded in the clashes.", N, "135"),
    ("135 Armenian civilians were killed in the clashes.", N, "135"),
]


@pytest.mark.parametrize(("claim", "verdict", "figure"), OTHER_SIDE, ids=ids(OTHER_SIDE))
def test_other_side(check: Check, claim: str, verdict: Verdict, figure: str) -> None:
    result = check(claim)
    assert result.verdict is verdict, result.explanation
    assert Stance.SUPPORTS not in stances(result)
    assert any(figure in e.passage.text for e in result.evidence)


ENTITY_SWAPS = [
    ("Nancy Pelosi will travel to Armenia at the weekend.", S),
    ("Nancy Pelosi will travel to Azerbaijan at the weekend.", R),
    ("Aliyev spoke at a Shanghai Cooperation Organization summit in Kazakhstan.", R),
    ("Nagorno-Karabakh is internationally recognized as part of Azerbaijan.", S),
    ("Nagorno-Karabakh is internationally recognised as part of Armenia.", R),
    ("Azerbaijan launched shelling in the direction of Goris, Sotk and Jermuk.", S),
    ("Armenia launched shelling in the direction of Goris, Sotk and Jermuk.", R),
    ("Azerbaijan said it would hand over the bodies of up to 100 Azerbaijani troops.", R),
]
ROLE_SWAPS = [
    ("Azerbaijani forces advanced into Armenian territory.", S),
    ("Armenian forces advanced into Azerbaijani territory.", R),
    ("Armenian forces advanced as much as 7.5 kilometers into Azerbaijan's territory.", R),
    ("Nikol Pashinian said Azerbaijani forces had seized several Armenian settlements.", S),
    ("Pashinyan said Armenian forces had seized several Azerbaijani settlements.", R),
    ("Reeker said Armenia should withdraw from Azeri territory.", S),
    ("Reeker said Azerbaijan should withdraw from Armenian territory.", R),
    ("Pashinyan said Azerbaijan should withdraw its forces from Armenian territory.", S),
    ("Pashinyan said Armenia should withdraw its forces from Azerbaijani territory.", R),
    ("Turkey blamed Azerbaijan for starting the latest incident.", R),
    ("Turkey called on Baku to stop provocations.", R),
    ("Armenia accused Azerbaijan of an unprovoked attack.", S),
    ("Azerbaijan accused Armenia of shelling its army units.", S),
]

NEGATION = [
    ("Azerbaijan and Armenia have not yet reached a final peace agreement.", S, True),
    ("Azerbaijan and Armenia are yet to reach a final peace deal.", S, True),
    ("Armenia and Azerbaijan signed a final peace treaty this week.", R, False),
    ("Azerbaijan confirmed its soldiers were attacking civilian facilities.", R, False),
    ("Azerbaijan's Defense Ministry admitted its troops attacked civilian facilities.", R, False),
    ("Pashinyan denied reports that he had signed a deal with Baku.", S, True),
    ("Pashinyan confirmed that he had signed a deal with Baku.", R, False),
    ("Reuters verified the accounts of both sides.", R, False),
]


@pytest.mark.parametrize(("claim", "verdict", "negated"), NEGATION, ids=ids(NEGATION))
def test_negation(check: Check, claim: str, verdict: Verdict, negated: bool) -> None:
    result = check(claim)
    assert result.verdict is verdict, result.explanation
    assert result.analysis.negated is negated


ATTRIBUTION = [
    ("Blinken tweeted that the US welcomed the cessation of hostilities.", S),
    ("Lavrov tweeted that the US welcomed the cessation of hostilities.", N),
    ("Nebenzya told the Security Council Russia was in close contact with both countries.", S),
    ("Blinken told the Security Council Russia was in close contact with both countries.", N),
    ("Grigoryan told Armenian TV a truce was reached thanks to the international community.", S),
    ("Pashinyan told Armenian TV a truce was reached thanks to the international community.", N),
    ("Blinken said Russia could stir the pot or help calm the waters.", S),
    ("Putin said Russia could stir the pot or help calm the waters.", N),
    ("Hovhannisyan warned the clashes could turn into a war.", S),
    ("Aliyev warned the clashes could turn into a war.", N),
    ("Russia said a ceasefire had been brokered between Armenia and Azerbaijan.", S),
    ("Turkey said a ceasefire had been brokered between Armenia and Azerbaijan.", N),
    ("Armenia said it would activate a cooperation agreement with Moscow.", S),
    ("Azerbaijan said it would activate a cooperation agreement with Moscow.", N),
    ("Karasin told RIA that the truce was achieved through Russian diplomatic efforts.", S),
    ("The Kremlin said Putin was doing everything possible to reduce hostilities.", S),
]

# The plain (claim, verdict) tables, by phenomenon.
VERDICTS = {
    "numbers": NUMBERS,
    "units": UNITS,
    "anchored": ANCHORED,
    "entity-swap": ENTITY_SWAPS,
    "role-swap": ROLE_SWAPS,
    "attribution": ATTRIBUTION,
}
ROWS = [(kind, claim, verdict) for kind, table in VERDICTS.items() for claim, verdict in table]

ROW_IDS = [f"{row[0]}: {name}" for row, name in zip(ROWS, ids(ROWS, 1), strict=True)]


@pytest.mark.parametrize(("kind", "claim", "verdict"), ROWS, ids=ROW_IDS)
def test_verdict(check: Check, kind: str, claim: str, verdict: Verdict) -> None:
    result = check(claim)
    assert result.verdict is verdict, result.explanation
    if kind in ("numbers", "units"):
        assert result.analysis.quantities


SPEAKERS = [
    ("Blinken said Russia could stir the pot or help calm the waters.", "Antony Blinken"),
    ("Hovhannisyan warned the clashes could turn into a war.", "Paruyr Hovhannisyan"),
    ("Pashinian said Azerbaijani forces had seized Armenian settlements.", "Nikol Pashinyan"),
    ("The shelling had weakened in some directions, said Torosian.", "Aram Torosian"),
    ("According to Aram Torosian, the shelling had weakened.", "Aram Torosian"),
    ("The Kremlin said Putin was doing everything possible to reduce hostilities.", "Russia"),
    ("Yerevan said it would activate a cooperation agreement with Moscow.", "Armenia"),
    ("Azerbaijani forces advanced into Armenian territory.", None),
]


@pytest.mark.parametrize(("claim", "speaker"), SPEAKERS, ids=ids(SPEAKERS))
def test_speaker(check: Check, claim: str, speaker: str | None) -> None:
    assert check(claim).analysis.speaker == speaker


NEAR_MISSES = [
    "Azerbaijan lost 71 servicemen in clashes with Georgia.",
    "Zakir Hasanov spoke by phone with Sergei Lavrov.",
    "Erdogan called for calm after the violence erupted.",
    "China and the United Nations welcomed the ceasefire.",
    "Turkey maintains 2,000 peacekeepers in the region.",
    "Iran closed its border with Armenia during the clashes.",
    "The European Union sent monitors to the Armenia-Azerbaijan border.",
]
OFF_TOPIC = [
    "The price of gold rose sharply on Friday.",
    "The Bank of England raised interest rates.",
    "A new smartphone went on sale in Tokyo.",
]


@pytest.mark.parametrize("claim", NEAR_MISSES + OFF_TOPIC, ids=ids(NEAR_MISSES + OFF_TOPIC))
def test_not_enough_info(check: Check, claim: str) -> None:
    result = check(claim)
    assert result.verdict is N, result.explanation
    assert result.evidence
    assert stances(result) == {Stance.NEUTRAL}


# (claim, (quantities as written, entity ids, speaker, negated))
ANALYSIS = [
    ("Azerbaijani forces pushed nearly five miles into Armenian territory.",
     (["nearly five miles"], {"AZE", "ARM"}, None, False)),
    ("Pashinyan said 105 Armenian soldiers had been killed.",
     (["105"], {"person:pashinyan", "ARM"}, "Nikol Pashinyan", False)),
    ("Russia keeps about 2,000 peacekeepers in the region.",
     (["about 2,000"], {"RUS"}, None, False)),
    ("Armenia and Azerbaijan have not reached a final peace agreement.",
     ([], {"ARM", "AZE"}, None, True)),
    ("Baku and Yerevan met at a CSTO summit in Samarkand.",
     ([], {"AZE", "ARM", "org:csto", "place:samarkand"}, None, False)),
]  # fmt: skip


@pytest.mark.parametrize(("claim", "expected"), ANALYSIS, ids=ids(ANALYSIS))
def test_analysis(check: Check, claim: str, expected: tuple) -> None:
    analysis = check(claim).analysis
    quantities = [q.text for q in analysis.quantities]
    entities = {e.id for e in analysis.entities}
    assert (quantities, entities, analysis.speaker, analysis.negated) == expected


def test_quantity_slots(check: Check) -> None:
    (quantity,) = check("Pashinyan said 105 Armenian soldiers had been killed.").analysis.quantities
    assert (quantity.value, quantity.low, quantity.high) == (105, 105, 105)
    assert (quantity.counted, quantity.owner) == ("military", "ARM")
    (miles,) = check(UNITS[0][0]).analysis.quantities
    assert (miles.unit, miles.qualifier) == ("mile", "nearly")
    assert miles.low <= 7500 <= miles.high


TABLES = (*VERDICTS.values(), REVISED, OTHER_SIDE, NEGATION, SPEAKERS, ANALYSIS)
ALL_CLAIMS = sorted({row[0] for table in TABLES for row in table} | {*NEAR_MISSES, *OFF_TOPIC})
DECISIVE = {S: Stance.SUPPORTS, R: Stance.REFUTES}


@pytest.mark.parametrize("claim", ALL_CLAIMS, ids=ids(ALL_CLAIMS))
def test_invariants(check: Check, claim: str) -> None:
    result = check(claim)
    assert result.claim == claim
    assert 0.0 <= result.confidence <= 1.0
    assert result.explanation
    assert 0 < len(result.evidence) <= TOP_K
    if result.verdict in DECISIVE:
        assert result.evidence[0].stance is DECISIVE[result.verdict]
    if result.verdict is N:
        assert stances(result) == {Stance.NEUTRAL}
    for evidence in result.evidence:
        passage, document = evidence.passage, evidence.document
        assert passage.doc_id == document.id
        assert document.text[passage.start : passage.end] == passage.text
        assert evidence.reason.strip()
    analysis = result.analysis
    for quantity in analysis.quantities:
        assert quantity.text.lower() in analysis.normalized
        assert quantity.low <= quantity.high
    for entity in analysis.entities:
        assert entity.text.lower() in analysis.normalized
    if any(ch.isdigit() for ch in claim.replace("2020", "").replace("1990", "")):
        assert analysis.quantities
