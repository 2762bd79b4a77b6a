"""Compact plain-text answers for terminal use (``Accept: text/plain``); pure, no Flask.

A check reads::

    REFUTED (confidence 0.98): The fighting started on September 15.
    3 passages from 3 source(s) contradict the claim: ...
      refutes  000_92c0525162caa70a, 2022-09-16: "The clashes that had erupted on ..."

The first line is the verdict, the confidence and the claim; the second the explanation;
then one line per decisive passage (stance, source id with its publisher when known, its
publication date or "date unknown", the passage), and a ``Note:`` line per note. A review
starts with a summary line, then gives each checked sentence the same way, headed by its
offsets ``[start:end]`` in the submitted text, with its checked clauses indented below it.
"""

from __future__ import annotations

from service.engine.model import CheckResult, Evidence, Stance, Verdict
from service.engine.review import Review, Segment

VERDICT_WORDS: dict[Verdict, str] = {
    Verdict.SUPPORTED: "supported",
    Verdict.REFUTED: "refuted",
    Verdict.CONFLICTING: "conflicting",
    Verdict.NOT_ENOUGH_INFO: "not enough info",
}
NO_DECISIVE = "no passage supports or refutes the claim"


def render_check(result: CheckResult) -> str:
    """The plain-text answer to one check, ending with a newline."""
    return "\n".join(_check_lines(result)) + "\n"


def render_review(review: Review) -> str:
    """The plain-text answer to a review: a summary line, then each checked sentence."""
    total = len(review.sentences)
    counts = ", ".join(f"{review.counts[v.value]} {VERDICT_WORDS[v]}" for v in Verdict)
    lines = [f"{total} sentence(s), {review.checked} checked: {counts}."]
    if review.truncated is not None:
        cut = review.truncated
        lines.append(
            f"Truncated ({cut.reason} budget spent): {cut.skipped} sentence(s) from offset "
            f"{cut.resume_at} on were not reviewed."
        )
    for sentence in review.sentences:
        if sentence.result is None:
            continue
        lines.append("")
        lines.extend(_check_lines(sentence.result, sentence))
        for clause in sentence.clauses:
            if clause.result is not None:
                lines.append(f"  clause {_headline(clause.result, clause)}")
    return "\n".join(lines) + "\n"


def _check_lines(result: CheckResult, span: Segment | None = None) -> list[str]:
    lines = [_headline(result, span), result.explanation]
    decisive = [e for e in result.evidence if e.stance is not Stance.NEUTRAL]
    lines.extend(f"  {_passage(e)}" for e in decisive)
    if not decisive:
        lines.append(f"  ({NO_DECISIVE})")
    lines.extend(f"Note: {note}" for note in result.notes)
    return lines


def _headline(result: CheckResult, span: Segment | None) -> str:
    where = f"[{span.start}:{span.end}] " if span is not None else ""
    verdict = VERDICT_WORDS[result.verdict].upper()
    return f"{where}{verdict} (confidence {result.confidence:.2f}): {_one_line(result.claim)}"


def _passage(evidence: Evidence) -> str:
    document = evidence.document
    source = document.id + (f" ({document.publisher})" if document.publisher else "")
    when = document.published.isoformat() if document.published else "date unknown"
    stance = evidence.stance.value
    return f'{stance:<8} {source}, {when}: "{_one_line(evidence.passage.text)}"'


def _one_line(text: str) -> str:
    """Collapse whitespace so that one item stays on one line."""
    return " ".join(text.split())
