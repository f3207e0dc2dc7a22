"""The spam filter: training time, scoring time per comment, held-out precision/recall.

Run: .venv/bin/python bench/spam_filter.py [--seeds 20] [--runs 20]

Everything runs in this process on moderation/data/labelled_comments.jsonl; no database,
no Django. Prints:
  - training time on the whole labelled set (median of 5), the vocabulary size and the
    size of the stored model (to_json() as JSON);
  - scoring time per comment, spam_probability() on each labelled comment `--runs`
    times: median, p10-p90, p99, and one comment of the form's maximum of 3,000 characters;
  - held-out precision and recall at thresholds 0.5, 0.8, 0.9, 0.95 and 0.99: the
    default split (seed 0, a quarter of each class held out) with its counts, and the
    mean (min-max) over `--seeds` splits;
  - at the default threshold, the same measure when the filter has been trained on only
    20, 50 or 100 comments of each class.
Floor: median scoring time <= 0.2 ms per comment (exit status 1 if missed).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation.spam_filter import (  # noqa: E402 - needs ROOT on the path
    DEFAULT_THRESHOLD,
    LABELLED_COMMENTS,
    Evaluation,
    SpamFilter,
    read_examples,
    split_holdout,
)

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)
TRAINING_SIZES = (20, 50, 100)
MAX_COMMENT_LENGTH = 3000  # the comment form's limit
SCORING_FLOOR_MS = 0.2


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def ratio(value):
    return "  n/a" if value is None else f"{value:5.3f}"


def spread(values):
    defined = [value for value in values if value is not None]
    if not defined:
        return "n/a"
    undefined = len(values) - len(defined)
    text = f"{statistics.mean(defined):5.3f} ({min(defined):4.2f}-{max(defined):4.2f})"
    return text + (f" [{undefined} undefined]" if undefined else "")


def scored_holdout(examples, seed, per_class=None):
    """(probability, is_spam) of the held-out comments of split `seed`, the filter
    trained on the whole training part or on its first `per_class` of each class."""
    training, holdout = split_holdout(examples, seed=seed)
    if per_class is not None:
        training = [e for e in training if not e.is_spam][:per_class] + [
            e for e in training if e.is_spam
        ][:per_class]
    spam_filter = SpamFilter.train(training)
    return len(training), [
        (spam_filter.probability_of_tokens(example.tokens()), example.is_spam)
        for example in holdout
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="held-out splits to average")
    parser.add_argument("--runs", type=int, default=20, help="scorings of each comment")
    args = parser.parse_args()

    examples = read_examples()
    spam_count = sum(example.is_spam for example in examples)

    training_ms = []
    for _ in range(5):
        started = time.perf_counter()
        spam_filter = SpamFilter.train(examples)
        training_ms.append((time.perf_counter() - started) * 1000)
    stored_bytes = len(json.dumps(spam_filter.to_json()).encode())

    timings_us = []
    for _ in range(args.runs):
        for example in examples:
            started = time.perf_counter_ns()
            spam_filter.spam_probability(
                example.text, name=example.name, email=example.email, url=example.url
            )
            timings_us.append((time.perf_counter_ns() - started) / 1000)
    timings_us.sort()
    longest = max(examples, key=lambda example: len(example.text)).text
    maximal_text = ((longest + "\n\n") * (MAX_COMMENT_LENGTH // len(longest) + 1))[
        :MAX_COMMENT_LENGTH
    ]
    maximal_us = []
    for _ in range(args.runs * 5):
        started = time.perf_counter_ns()
        spam_filter.spam_probability(maximal_text)
        maximal_us.append((time.perf_counter_ns() - started) / 1000)
    median_us = statistics.median(timings_us)

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}")
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"command: .venv/bin/python bench/spam_filter.py --seeds {args.seeds} --runs {args.runs}")
    print(
        f"labelled set: {len(examples)} comments, {len(examples) - spam_count} ham, "
        f"{spam_count} spam ({LABELLED_COMMENTS.relative_to(ROOT)})"
    )
    print()
    print(
        f"training on all {len(examples)}: median {statistics.median(training_ms):.1f} ms; "
        f"vocabulary {len(spam_filter.vocabulary)} tokens, stored {stored_bytes / 1024:.1f} KiB"
    )
    print(
        f"scoring one comment: median {median_us:.0f} µs "
        f"(p10 {percentile(timings_us, 0.1):.0f}, p90 {percentile(timings_us, 0.9):.0f}, "
        f"p99 {percentile(timings_us, 0.99):.0f}; {len(timings_us)} scorings)"
    )
    print(
        f"scoring a {MAX_COMMENT_LENGTH}-character comment: "
        f"median {statistics.median(maximal_us):.0f} µs"
    )

    print()
    print(
        f"held out: a quarter of each class; seed 0, and the mean (min-max) of {args.seeds} seeds"
    )
    print(
        "threshold  seed 0: precision recall   TP  FP  TN  FN | precision (seeds)   recall (seeds)"
    )
    default_split = scored_holdout(examples, 0)
    splits = [default_split] + [scored_holdout(examples, seed) for seed in range(1, args.seeds)]
    for threshold in THRESHOLDS:
        first = Evaluation.from_scores(default_split[1], threshold=threshold)
        each = [Evaluation.from_scores(scored, threshold=threshold) for _, scored in splits]
        print(
            f"{threshold:9.2f}  {'':8}{ratio(first.precision):>9} {ratio(first.recall):>6} "
            f"{first.true_positives:4} {first.false_positives:3} {first.true_negatives:3} "
            f"{first.false_negatives:3} | {spread([e.precision for e in each]):19} "
            f"{spread([e.recall for e in each])}"
        )

    print()
    print(f"trained on fewer comments, threshold {DEFAULT_THRESHOLD}, mean (min-max) of the seeds")
    print("per class  training  precision            recall")
    for per_class in (*TRAINING_SIZES, None):
        results = [scored_holdout(examples, seed, per_class) for seed in range(args.seeds)]
        each = [
            Evaluation.from_scores(scored, threshold=DEFAULT_THRESHOLD) for _, scored in results
        ]
        label = "all" if per_class is None else str(per_class)
        print(
            f"{label:>9}  {results[0][0]:8}  {spread([e.precision for e in each]):20} "
            f"{spread([e.recall for e in each])}"
        )

    print()
    verdict = "PASS" if median_us / 1000 <= SCORING_FLOOR_MS else "FAIL"
    print(
        f"median scoring time {median_us / 1000:.3f} ms (floor <= {SCORING_FLOOR_MS} ms)  {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
