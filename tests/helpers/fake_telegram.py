"""A small fake of the Telegram Bot API, for testing the real python-telegram-bot.

It serves /bot<token>/<method> on a free loopback port, answers the methods
PeerPath uses, records every call, hands out queued updates to getUpdates,
and can be told to fail (e.g. a 429 with retry_after).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.helpers.net import free_port

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "PeerPath", "username": "peerpath_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}  # fmt: skip


class FakeTelegram:
    """The Bot API, in memory; use as a context manager."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.port = free_port()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.members: dict[tuple[int, int], str] = {}
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._lock = threading.Lock()
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeTelegram:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Telegram server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # --- what tests do ----------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append({"update_id": next(self._update_ids), **update})

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        self.failures.setdefault(method, []).append((status, body))

    def sent(self, method: str = "sendMessage", **match: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [
                params for name, params in self.calls
                if name == method and all(str(params.get(k)) == str(v) for k, v in match.items())
            ]  # fmt: skip

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 60.0, what: str = "a call"
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_sent(
        self, count: int = 1, timeout: float = 60.0, **match: Any
    ) -> list[dict[str, Any]]:
        return self.wait_for(
            lambda: (found := self.sent(**match)) and len(found) >= count and found,
            timeout, f"{count} sendMessage {match}",
        )  # fmt: skip

    # --- the API ------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if not body:
            return params
        if request.headers.get("content-type", "").startswith("application/json"):
            params.update(json.loads(body))
            return params
        # python-telegram-bot posts url-encoded forms (multipart only for files)
        for key, text in parse_qsl(body.decode(), keep_blank_values=True):
            try:
                params[key] = json.loads(text) if text[:1] in "[{" else text
            except ValueError:
                params[key] = text
        return params

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        with self._lock:
            self.calls.append((method, params))
            failure = self.failures.get(method, []) and self.failures[method].pop(0)
        if failure:
            status, body = failure
            return JSONResponse({"ok": False, "error_code": status, **body}, status)
        if method == "getUpdates":
            return JSONResponse({"ok": True, "result": await self._get_updates(params)})
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    def _message(self, chat_id: Any, text: str) -> dict[str, Any]:
        chat_id = int(chat_id)
        kind = "private" if chat_id > 0 else "supergroup"
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": kind}, "from": BOT_USER, "text": text}  # fmt: skip

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params["chat_id"], str(params.get("text", "")))
        if method == "editMessageText":
            message = self._message(params.get("chat_id", -1), str(params.get("text", "")))
            message["message_id"] = int(params.get("message_id", 0))
            return message
        if method == "getChatMember":
            key = (int(params["chat_id"]), int(params["user_id"]))
            user = {"id": int(params["user_id"]), "is_bot": False, "first_name": "Someone"}
            return {"status": self.members.get(key, "left"), "user": user}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True


# --- updates, as Telegram would send them ---------------------------------------------

_message_ids = itertools.count(10_000)


def user(user_id: int, name: str = "Jo") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": name}


def message(chat_id: int, from_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    kind = "private" if chat_id > 0 else "supergroup"
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": kind},
        "from": user(from_id),
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    body.update(extra)
    return body


def text_update(
    chat_id: int, text: str, from_id: int | None = None, **extra: Any
) -> dict[str, Any]:
    return {"message": message(chat_id, from_id or chat_id, text, **extra)}


def tap_update(chat_id: int, from_id: int, data: str, name: str = "Jo") -> dict[str, Any]:
    return {"callback_query": {"id": str(time.time_ns()), "from": user(from_id, name),
                               "chat_instance": "x", "data": data,
                               "message": message(chat_id, BOT_USER["id"], "…")}}  # fmt: skip


def sticker_update(chat_id: int) -> dict[str, Any]:
    sticker = {"file_id": "s1", "file_unique_id": "u1", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular"}  # fmt: skip
    return {"message": message(chat_id, chat_id, None, sticker=sticker)}
