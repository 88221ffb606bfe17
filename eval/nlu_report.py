"""Check and print Rasa's NLU intent report: `python -m eval.nlu_report REPORT.json`.

Used by `make test` on the held-out test (tests/nlu_test.yml) and by
`make nlu-report` on 5-fold cross-validation. Fails (exit 1) when macro F1
is under --min-macro-f1 or an intent in --full-recall misses anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SUMMARY = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def table(report: dict) -> str:
    lines = ["| intent | precision | recall | F1 | examples |", "|---|---|---|---|---|"]
    for name in sorted(k for k in report if k not in SUMMARY):
        row = report[name]
        lines.append(f"| {name} | {row['precision']:.2f} | {row['recall']:.2f} | "
                     f"{row['f1-score']:.2f} | {row['support']} |")  # fmt: skip
    macro = report["macro avg"]
    lines.append(f"| **macro average** | {macro['precision']:.3f} | {macro['recall']:.3f} | "
                 f"**{macro['f1-score']:.3f}** | {macro['support']} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-macro-f1", type=float, default=0.0)
    parser.add_argument("--full-recall", nargs="*", default=[])
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    print(table(report))
    accuracy = report.get("accuracy")
    if accuracy is not None:
        print(f"\naccuracy {accuracy:.3f}")
    failures = []
    macro = report["macro avg"]["f1-score"]
    if macro < args.min_macro_f1:
        failures.append(f"macro F1 {macro:.3f} is under {args.min_macro_f1}")
    for intent in args.full_recall:
        recall = report.get(intent, {}).get("recall", 0.0)
        if recall < 1.0:
            failures.append(f"{intent} recall {recall:.3f} is under 1.0")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
