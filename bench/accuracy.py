"""Verdict accuracy on the labelled corpora, the fitted decision, and its honest estimate.

Usage, from the project root (needs requirements-dev.txt: scikit-learn fits the models):

    .venv/bin/python bench/accuracy.py report   # in-sample and leave-one-corpus-out figures
    .venv/bin/python bench/accuracy.py fit      # refit service/engine/data/decision.json
    .venv/bin/python bench/accuracy.py check    # exit 1 if decision.json is not what fit makes

A corpus is a folder of ``bench/corpora/`` holding ``claims.jsonl`` (one labelled claim a
line: ``claim``, ``label``, optional ``also_ok``, ``evidence`` quotes and ``phenomena``) and
``docs/`` (the reports, as the service loads them); ``seeds`` uses the project's ``seeds/``.

*fit* computes every signal of the best candidates of every claim with the service's own
code (``FactChecker.judge``), then fits three logistic regressions (``service.engine.decision``):
relevance (is the passage gold evidence?), direction (among gold evidence of supported and
refuted claims, does it refute?) and the verdict (from the candidates' odds).

*report* prints, for each corpus, the in-sample line (the models fitted on every corpus)
and the held-out line (fitted on the other corpora only): accuracy, macro-F1, evidence
recall, ECE, then accuracy by phenomenon.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.engine.checker import FactChecker  # noqa: E402
from service.engine.corpus import load_corpus  # noqa: E402
from service.engine.decision import (  # noqa: E402
    CLAIM_FEATURES,
    DECISION_FILE,
    VERDICTS,
    Decision,
    Logistic,
    claim_features,
)
from service.retrieval.index import PassageIndex  # noqa: E402

CORPORA = ROOT / "bench" / "corpora"
LABELS = tuple(v.value for v in VERDICTS)
# Candidates judged per claim (gold evidence is within the best 10 for 97-100 % of claims).
CANDIDATES = 10
# Inverse regularisation strengths. Held-out accuracy was flat over 0.1-1 (pairs) and
# 0.1-2 (verdicts), so these are not tuned closely.
C_PASSAGE = 1.0
C_VERDICT = 0.5


@dataclass
class Example:
    """One labelled claim and its judged candidates."""

    corpus: str
    id: str
    claim: str
    label: str
    accepted: frozenset[str]
    phenomena: tuple[str, ...]
    features: list[dict[str, float]]
    gold: list[bool]
    sources: list[str]
    recency: list[float]
    has_gold: bool


def corpus_docs(folder: Path) -> Path:
    return folder / "docs" if (folder / "docs").is_dir() else ROOT / "seeds"


def examples(folder: Path) -> list[Example]:
    """Every claim of one corpus, judged by the service's code with no fitted model."""
    corpus = load_corpus(corpus_docs(folder))
    checker = FactChecker.learn(
        corpus, build=PassageIndex.build, decision=Decision.unfitted(CANDIDATES)
    )
    texts = {d.id: d.text for d in corpus.documents}
    found = []
    for line in (folder / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        claim = json.loads(line)
        spans = _gold_spans(claim, texts)
        found.append(_example(checker, folder.name, claim, spans))
    return found


def _example(checker: FactChecker, corpus: str, claim: dict, spans: list) -> Example:
    judged = checker.judge(claim["claim"], checker.analyse(claim["claim"]))
    passages = [j.hit.item.passage for j in judged]
    return Example(
        corpus=corpus,
        id=claim["id"],
        claim=claim["claim"],
        label=claim["label"],
        accepted=frozenset([claim["label"], *claim.get("also_ok", [])]),
        phenomena=tuple(claim.get("phenomena", ())),
        features=[j.features for j in judged],
        gold=[_overlaps(p, spans) for p in passages],
        sources=[p.doc_id for p in passages],
        recency=[checker._recency[p.doc_id] for p in passages],
        has_gold=bool(spans),
    )


def _gold_spans(claim: dict, texts: dict[str, str]) -> list[tuple[str, int, int]]:
    spans = []
    for evidence in claim.get("evidence", []):
        at = texts.get(evidence["source"], "").find(evidence["quote"])
        if at >= 0:
            spans.append((evidence["source"], at, at + len(evidence["quote"])))
    return spans


def _overlaps(passage, spans: list[tuple[str, int, int]]) -> bool:
    return any(passage.doc_id == s and passage.start < e and b < passage.end for s, b, e in spans)


def fit(train: list[Example], names: tuple[str, ...]) -> Decision:
    """The three models, fitted on ``train``."""
    rows, relevant, refuting = [], [], []
    for ex in train:
        for features, gold in zip(ex.features, ex.gold, strict=True):
            rows.append([features[n] for n in names])
            relevant.append(gold)
            refuting.append({"supported": 0, "refuted": 1}.get(ex.label, -1) if gold else -1)
    x = np.array(rows, dtype=np.float64)
    relevance = _logistic(x, np.array(relevant, dtype=int), C_PASSAGE)
    directed = np.array(refuting) >= 0
    direction = _logistic(x[directed], np.array(refuting)[directed], C_PASSAGE)
    partial = Decision(names, CANDIDATES, relevance, direction, relevance)
    claims = np.array([_claim_row(partial, ex) for ex in train])
    labels = np.array([LABELS.index(ex.label) for ex in train])
    verdict = _logistic(claims, labels, C_VERDICT)
    return Decision(names, CANDIDATES, relevance, direction, verdict)


def _claim_row(decision: Decision, ex: Example) -> list[float]:
    return claim_features(decision.passages(ex.features), ex.sources, ex.recency)


def _logistic(x: np.ndarray, y: np.ndarray, c: float) -> Logistic:
    from sklearn.linear_model import LogisticRegression  # a development dependency

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return Logistic(mean, scale, model.coef_, model.intercept_)


def predict(decision: Decision, ex: Example) -> tuple[str, float]:
    odds = decision.passages(ex.features)
    verdict, confidence, _ = decision.decide(odds, ex.sources, ex.recency)
    return verdict.value, confidence


def score(decision: Decision, test: list[Example]) -> dict:
    """accuracy, macro_f1, evidence_recall (a gold passage among the first five shown),
    ece (5 bins) and accuracy by phenomenon."""
    rows = []
    for ex in test:
        verdict, confidence = predict(decision, ex)
        odds = decision.passages(ex.features)
        shown = _shown(odds)[:5]
        rows.append((ex, verdict, confidence, any(ex.gold[i] for i in shown)))
    right = [v in ex.accepted for ex, v, _, _ in rows]
    f1s = []
    for label in LABELS:
        tp = sum(ok and v == label for ok, (_, v, _, _) in zip(right, rows, strict=True))
        predicted = sum(v == label for _, v, _, _ in rows)
        actual = sum(ex.label == label for ex, _, _, _ in rows)
        p, r = (tp / predicted if predicted else 0.0), (tp / actual if actual else 0.0)
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    ece = expected_calibration_error(np.array([c for _, _, c, _ in rows]), np.array(right))
    phenomena: dict[str, list[bool]] = defaultdict(list)
    for (ex, _, _, _), ok in zip(rows, right, strict=True):
        for tag in ex.phenomena:
            phenomena[tag].append(ok)
    with_gold = [hit for ex, _, _, hit in rows if ex.has_gold]
    return {
        "claims": len(rows),
        "accuracy": float(np.mean(right)),
        "macro_f1": float(np.mean(f1s)),
        "evidence_recall": float(np.mean(with_gold)) if with_gold else 0.0,
        "ece": float(ece),
        "by_phenomenon": {k: float(np.mean(v)) for k, v in sorted(phenomena.items())},
        "wrong": [
            (ex.id, ex.label, v, ex.claim)
            for (ex, v, _, _), ok in zip(rows, right, strict=True)
            if not ok
        ],
    }


def _shown(odds) -> list[int]:
    """Candidate indices in the order the service shows evidence (``evidence_order``)."""
    taking = [i for i, o in enumerate(odds) if o.stance.value != "neutral"]
    taking.sort(key=lambda i: -max(odds[i].supports, odds[i].refutes))
    return taking + [i for i, o in enumerate(odds) if o.stance.value == "neutral"]


def load_all(root: Path = CORPORA) -> dict[str, list[Example]]:
    folders = sorted(p for p in root.iterdir() if (p / "claims.jsonl").is_file())
    return {folder.name: examples(folder) for folder in folders}


def feature_names(data: dict[str, list[Example]]) -> tuple[str, ...]:
    first = next(ex.features[0] for exs in data.values() for ex in exs if ex.features)
    return tuple(sorted(first))


def fitted_on_everything(data: dict[str, list[Example]]) -> Decision:
    return fit([ex for exs in data.values() for ex in exs], feature_names(data))


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray) -> float:
    """ECE over 5 equal-width bins, as the evaluation computes it."""
    bins = np.minimum((confidence * 5).astype(int), 4)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += abs(confidence[inside].mean() - right[inside].mean()) * inside.sum()
    return float(total / len(confidence))


def decision_json(decision: Decision) -> str:
    return json.dumps(decision.to_dict(), indent=1) + "\n"


def _line(name: str, kind: str, figures: dict) -> str:
    return (
        f"{name} {kind}: claims={figures['claims']} accuracy={figures['accuracy']:.3f} "
        f"macro_f1={figures['macro_f1']:.3f} evidence_recall={figures['evidence_recall']:.3f} "
        f"ece={figures['ece']:.3f}"
    )


def report(data: dict[str, list[Example]], show_errors: bool) -> None:
    names = feature_names(data)
    everything = fit([ex for exs in data.values() for ex in exs], names)
    held_out = []
    for corpus in data:
        inside = score(everything, data[corpus])
        others = fit([ex for c, exs in data.items() if c != corpus for ex in exs], names)
        outside = score(others, data[corpus])
        held_out.append(outside)
        print(_line(corpus, "in-sample", inside))
        print(_line(corpus, "held-out ", outside))
        print("  held-out by phenomenon: " + " ".join(
            f"{k}={v:.2f}" for k, v in outside["by_phenomenon"].items()))  # fmt: skip
        if show_errors:
            for claim_id, gold, got, text in outside["wrong"]:
                print(f"    {claim_id} gold={gold} got={got} :: {text}")
    mean = {k: np.mean([h[k] for h in held_out]) for k in ("accuracy", "macro_f1", "ece")}
    print("held-out mean over corpora: " + " ".join(f"{k}={v:.3f}" for k, v in mean.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("report", "fit", "check"))
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--out", type=Path, default=DECISION_FILE)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    data = load_all(args.corpora)
    if args.command == "report":
        report(data, args.show_errors)
        return 0
    text = decision_json(fitted_on_everything(data))
    if args.command == "fit":
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out} ({len(CLAIM_FEATURES)} claim features)")
        return 0
    same = args.out.is_file() and same_decision(args.out.read_text(encoding="utf-8"), text)
    print("decision.json is what fit makes" if same else f"{args.out} differs: run fit")
    return 0 if same else 1


def same_decision(shipped: str, fitted: str, tolerance: float = 1e-4) -> bool:
    """Whether two decision files hold the same model. The solver's last digits vary from
    run to run (floating-point sums in another order), so numbers match within
    ``tolerance``."""
    a, b = json.loads(shipped), json.loads(fitted)

    def close(x: object, y: object) -> bool:
        if isinstance(x, dict) and isinstance(y, dict):
            return x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
        if isinstance(x, list) and isinstance(y, list):
            return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y, strict=True))
        if isinstance(x, float | int) and isinstance(y, float | int):
            return abs(x - y) <= tolerance
        return x == y

    return close(a, b)


if __name__ == "__main__":
    sys.exit(main())
