"""`make eval-blind SET=tests/eval/blind4`: run a blind set once over the real stack and
record every reply for an independent judge.

The set (written by someone who saw no code, committed unread) has single-turn
questions, conversations (each a list of turns) and messages that may ask for a
person. Each question and conversation starts a new conversation; every reply's
text and citations are written to results/<set>-replies.json (and per language
with --lang es). Nothing here scores an answer: a reader who sees only the sources
and these replies judges each one ANSWERS / PARTIAL / WRONG (docs/quality.md).
Hand-off messages are scored here, since a hand-off is visible in the reply: the
reply opened a request for a peer or offered one. --knowledge points the run at
other documents (the original sources alone: what a new coalition gets on day one).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import yaml

from eval.bench.chat_bench import ROOT, Stack
from eval.chat_eval import Chat

RESULTS = ROOT / "results"
PARTS = ("questions", "conversations", "handoff", "ordinary")


def said(reply: dict[str, Any]) -> dict[str, Any]:
    """What the person saw: each message's text, and the sources cited."""
    messages = reply.get("messages", [])
    return {
        "text": "\n".join(str(m.get("text", "")) for m in messages if m.get("text")),
        "sources": [
            f"{s.get('title', '')} / {s.get('section', '')}"
            for m in messages
            for s in m.get("sources", []) or []
        ],
        "kinds": sorted({str(m.get("kind", "")) for m in messages if m.get("kind")}),
        "buttons": [
            f"{b.get('title', '')} -> {b.get('payload', '')}"
            for m in messages
            for b in m.get("buttons", []) or []
        ],
        "handoff": bool(reply.get("handoff")),
    }


def offers_peer(reply: dict[str, Any]) -> bool:
    """The reply opened a request for a peer, or offers one: a "talk to a peer" button,
    or the consent question ("Would you like to connect?", its yes button /affirm)."""
    if reply.get("handoff"):
        return True
    for message in reply.get("messages", []):
        if message.get("kind") in ("handoff", "crisis"):
            return True
        for button in message.get("buttons", []) or []:
            payload = str(button.get("payload", ""))
            title = str(button.get("title", "")).lower()
            if "request_human" in payload or "connect_urgent" in payload:
                return True
            # "Sí, conéctame": accents folded before looking for the word
            plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
            if payload == "/affirm" and ("connect" in plain or "conect" in plain):
                return True
    return False


def run(http: httpx.Client, folder: Path, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    def load(name: str) -> Any:
        path = folder / name
        return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}

    questions = load("questions.yml").get("questions", []) if "questions" in parts else []
    conversations = (
        load("conversations.yml").get("conversations", []) if "conversations" in parts else []
    )
    handoff = load("handoff.yml").get("messages", []) if "handoff" in parts else []
    ordinary = load("ordinary.yml").get("messages", []) if "ordinary" in parts else []

    def one_question(item: dict[str, Any]) -> dict[str, Any]:
        return {"id": item["id"], "q": item["q"], "reply": said(Chat(http).say(item["q"]))}

    def one_conversation(item: dict[str, Any]) -> dict[str, Any]:
        chat = Chat(http)
        turns = [{"said": str(t), "reply": said(chat.say(str(t)))} for t in item["turns"]]
        return {"id": item["id"], "category": item.get("category", ""), "turns": turns}

    def one_handoff(item: dict[str, Any]) -> dict[str, Any]:
        reply = Chat(http).say(item["text"])
        return {"wants_human": bool(item["wants_human"]), "offered": offers_peer(reply),
                "reply": said(reply)}  # fmt: skip

    def one_ordinary(item: dict[str, Any]) -> dict[str, Any]:
        reply = said(Chat(http).say(item["text"]))
        return {"kind": item.get("kind", ""), "reply": reply,
                "taken_over": "crisis" in reply["kinds"],
                "outage": "notice" in reply["kinds"] and "988" in reply["text"]}  # fmt: skip

    with ThreadPoolExecutor(4) as pool:
        single = list(pool.map(one_question, questions))
        multi = list(pool.map(one_conversation, conversations))
        asked = list(pool.map(one_handoff, handoff))
        calm = list(pool.map(one_ordinary, ordinary))
    wanted = [a for a in asked if a["wants_human"]]
    unasked = [a for a in asked if not a["wants_human"]]
    return {
        "questions": single,
        "conversations": multi,
        "handoff_replies": asked,
        "ordinary": {
            "taken_over": f"{sum(c['taken_over'] for c in calm)}/{len(calm)}",
            "outage_notices": f"{sum(c['outage'] for c in calm)}/{len(calm)}",
            "replies": calm,
        },
        "handoff": {
            "recognised": f"{sum(a['offered'] for a in wanted)}/{len(wanted)}",
            "offered_unasked": f"{sum(a['offered'] for a in unasked)}/{len(unasked)}",
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--parts", default=",".join(PARTS), help="which parts of the set to run")
    parser.add_argument(
        "--knowledge",
        default="",
        help="KNOWLEDGE_DIRS for this run (e.g. ../shared/seeds: the original documents alone)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="peerpath-blind-") as tmp:
        var = Path(tmp) / "var"
        var.mkdir()
        overrides = {}
        if args.knowledge:
            overrides = {"KNOWLEDGE_DIRS": args.knowledge, "INDEX_DIR": str(var / "index")}
        stack = Stack(ROOT, var, overrides=overrides)
        try:
            stack.start()
            with httpx.Client(base_url=stack.gateway, timeout=60) as http:
                results = run(http, args.folder, tuple(args.parts.split(",")))
        finally:
            stack.stop()
    name = args.folder.name if args.folder.name != "es" else f"{args.folder.parent.name}-es"
    out = args.out or RESULTS / f"{name}-replies.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(results['questions'])} questions, {len(results['conversations'])} "
          f"conversations; hand-off requests recognised {results['handoff']['recognised']}, "
          f"offered unasked {results['handoff']['offered_unasked']} -> {out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
