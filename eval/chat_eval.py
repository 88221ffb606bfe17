"""`make eval-chat`: the conversation measured over the real stack (gateway -> Rasa -> actions).

Prints, from one run:
- single-turn accuracy: every dev question (tests/eval/dev_questions.yml) sent
  as the first message of a new conversation; right when the first cited
  section is the labelled one or a judged alternate (`also`: one an independent
  judge, shown both sections blind, found answers it too; accuracy_labelled_only
  leaves these out), or, for off-topic questions, nothing is cited; for a
  question marked `chat: crisis`, the reply is the crisis response;
- chat/search agreement: how often the chat's first cited section is the
  section /api/search ranks first for the same words (labelled questions);
- multi-turn accuracy: every script of tests/eval/chat_scripts.yml (or
  --scripts), right when the reply to its last turn contains one of
  `expect.any`, all of `expect.all` and none of `expect.none`
  (case-insensitive), by category.
The stack is started as `make run` starts it, on free ports and a fresh VAR_DIR.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import yaml

from eval.bench.chat_bench import ROOT, Stack
from eval.search_eval import answers

EVAL_DIR = ROOT / "tests" / "eval"  # the question sets and scripts
SCRIPTS = EVAL_DIR / "chat_scripts.yml"
DEV = EVAL_DIR / "dev_questions.yml"


class Chat:
    """One conversation through the gateway's JSON API."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        token = http.post("/api/session").json()["session"]
        self.auth = {"Authorization": f"Bearer {token}"}

    def say(self, text: str) -> dict[str, Any]:
        response = self.http.post("/api/chat", json={"text": text}, headers=self.auth)
        return response.json() if response.status_code in (200, 503) else {"messages": []}


def text_of(reply: dict[str, Any], skip: frozenset[str] = frozenset()) -> str:
    return "\n".join(
        str(m.get("text", "")) for m in reply.get("messages", []) if m.get("kind") not in skip
    )


# `expect.none` is judged without the quiet "988 is there any time" line (kind "care")
# that issue #13 requires after an answer to a message graded `sensitive`: a script's
# none: ["988"] means "no crisis takeover", which that line is not. `--strict` judges
# the whole reply.
NOT_A_TAKEOVER = frozenset({"care"})


def first_source(reply: dict[str, Any]) -> dict[str, Any] | None:
    for message in reply.get("messages", []):
        for source in message.get("sources", []):
            if source.get("chunk_id"):
                return dict(source)
    return None


_DASHES = str.maketrans({"-": " ", "\u2010": " ", "\u2013": " ", "\u2014": " ",
                         "\u2019": "'", "\u201c": '"', "\u201d": '"'})  # fmt: skip


def plain(text: str) -> str:
    """Lower case, dashes as spaces, straight quotes, single spaces: an expected
    "side-by-side" is found in "side by side"."""
    return " ".join(text.lower().translate(_DASHES).split())


def judge_script(script: dict[str, Any], last: dict[str, Any], strict: bool = False) -> bool:
    said = plain(text_of(last))
    said_without_care = plain(text_of(last, frozenset() if strict else NOT_A_TAKEOVER))
    expect = script.get("expect") or {}
    any_of = [plain(str(t)) for t in expect.get("any", [])]
    all_of = [plain(str(t)) for t in expect.get("all", [])]
    none_of = [plain(str(t)) for t in expect.get("none", [])]
    return (
        (not any_of or any(t in said for t in any_of))
        and all(t in said for t in all_of)
        and not any(t in said_without_care for t in none_of)
    )


def run_scripts(http: httpx.Client, scripts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def one(script: dict[str, Any]) -> dict[str, Any]:
        chat = Chat(http)
        last: dict[str, Any] = {}
        for turn in script["turns"]:
            last = chat.say(str(turn))
        return {"id": script["id"], "category": script.get("category", "-"),
                "ok": judge_script(script, last),
                "ok_strict": judge_script(script, last, strict=True),
                "said": text_of(last)[:300]}  # fmt: skip

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, scripts))


def run_single_turns(http: httpx.Client, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def one(item: dict[str, Any]) -> dict[str, Any]:
        reply = Chat(http).say(item["q"])
        cited = first_source(reply)
        search = http.get("/api/search", params={"q": item["q"], "k": 1}).json()
        top = search["results"][0] if search.get("results") and search.get("confident") else None
        labelled = ok = False
        if item.get("chat") == "crisis":
            labelled = ok = any(m.get("kind") == "crisis" for m in reply.get("messages", []))
        elif item.get("doc") and cited:
            said = (cited.get("doc"), cited.get("section"))
            labelled = said == (item["doc"], item["section"])
            ok = said in answers(item)
        elif not item.get("doc"):
            labelled = ok = cited is None
        agree = None
        if item.get("doc") and top is not None:
            agree = bool(cited and cited.get("chunk_id") == top["chunk_id"])
        return {"q": item["q"], "ok": ok, "ok_labelled": labelled, "agree": agree,
                "cited": cited and f"{cited.get('doc')} / {cited.get('section')}"}  # fmt: skip

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, questions))


def summary(single: list[dict[str, Any]], multi: list[dict[str, Any]]) -> dict[str, Any]:
    agreeing = [r["agree"] for r in single if r["agree"] is not None]
    categories: dict[str, list[bool]] = collections.defaultdict(list)
    for r in multi:
        categories[r["category"]].append(r["ok"])
    by_category = {k: f"{sum(v)}/{len(v)}" for k, v in sorted(categories.items())}
    return {
        "single_turn": {"n": len(single), "accuracy": _share([r["ok"] for r in single]),
                        "accuracy_labelled_only": _share([r["ok_labelled"] for r in single])},
        "agreement": {"n": len(agreeing), "share": _share(agreeing)},
        "multi_turn": {"n": len(multi), "accuracy": _share([r["ok"] for r in multi]),
                       "accuracy_strict": _share([r["ok_strict"] for r in multi]),
                       "by_category": by_category},
    }  # fmt: skip


def _share(values: list[bool]) -> float:
    return round(sum(values) / len(values), 3) if values else 0.0


def evaluate(
    scripts: list[dict[str, Any]], questions: list[dict[str, Any]], stack_env: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    with tempfile.TemporaryDirectory(prefix="peerpath-eval-") as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        stack = Stack(ROOT, var)
        try:
            stack.start()
            with httpx.Client(base_url=stack.gateway, timeout=60) as http:
                single = run_single_turns(http, questions)
                multi = run_scripts(http, scripts)
        finally:
            stack.stop()
    return summary(single, multi), single, multi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scripts", type=Path, default=SCRIPTS)
    parser.add_argument("--questions", type=Path, default=DEV, help="the single-turn questions")
    parser.add_argument("--no-single", action="store_true", help="skip the single-turn questions")
    parser.add_argument("--show", action="store_true", help="list every miss")
    parser.add_argument("--json", type=Path, default=ROOT / "results" / "eval-chat.json")
    args = parser.parse_args(argv)
    scripts = yaml.safe_load(args.scripts.read_text(encoding="utf-8"))["scripts"]
    questions = [] if args.no_single else yaml.safe_load(args.questions.read_text(encoding="utf-8"))
    result, single, multi = evaluate(scripts, questions, {})
    print(json.dumps(result, indent=2))
    if args.show:
        show: Callable[[dict[str, Any]], str] = lambda r: json.dumps(r, ensure_ascii=False)  # noqa: E731
        for r in single:
            if not r["ok"] or r["agree"] is False:
                print("single:", show(r))
        for r in multi:
            if not r["ok"]:
                print("multi:", show(r))
    args.json.parent.mkdir(exist_ok=True)
    args.json.write_text(json.dumps({"summary": result, "single": single, "multi": multi},
                                    indent=2, ensure_ascii=False))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
