"""No client can hold the gateway: connection limits over the real server.

The gateway is served exactly as `python -m bot` serves it (bot/server.py: uvicorn
with its limits and log filter) on a loopback port, with the real app, index and
safety net; only Rasa is a canned transport, so a chat's latency is the gateway's
own. Its limits are small: 5 WebSockets per address, 8 in all, 2 s for a
request's headers and 2 s for its body. Meanwhile an ordinary person keeps
chatting, and their latency is compared with a quiet baseline.

- more sockets than the per-address cap are closed with 1008, more than the
  total cap with 1013, and both carry a reason;
- a body or headers sent a byte at a time are cut off within the timeout, an idle
  connection too, and a 10 MB header is refused;
- odd first frames on /ws/staff close the socket with a code, not a traceback;
- the log has no query string and no ERROR for a client that went away.

Measured figures go to results/connection_limits.json.
"""

from __future__ import annotations

import json
import logging
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from bot import server
from bot.app import create_app
from peerpath.settings import PROJECT_ROOT, Settings
from tests.helpers.gateway import STAFF_TOKEN
from tests.helpers.net import free_port

pytestmark = pytest.mark.servers

PER_ADDRESS, TOTAL, HEADER_S, BODY_S = 5, 8, 2.0, 2.0
RESULTS = PROJECT_ROOT / "results" / "connection_limits.json"
QUERY_SENTINEL = "QZ-query-secret-81c2"


def record(**figures: Any) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(figures)
    RESULTS.write_text(json.dumps(data, indent=2))


def canned_rasa(request: httpx.Request) -> httpx.Response:
    """Rasa, answering at once: what the gateway does around it is what is measured."""
    path = request.url.path
    if path == "/webhooks/rest/webhook":
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "I can help with that."}])
    if path.endswith("/tracker"):
        return httpx.Response(200, json={"events": []})
    if path == "/status":
        return httpx.Response(200, json={"model_file": "peerpath.tar.gz"})
    return httpx.Response(200, json={})


class Records(logging.Handler):
    """Every log record of the process, for reading back."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Gateway:
    """The running gateway, as clients see it, and its log."""

    def __init__(self, port: int, records: Records) -> None:
        self.port = port
        self.records = records
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)
        response = self.client.post("/api/session")
        assert response.status_code == 201, response.text
        self.session = response.json()["session"]

    def chat_ms(self, text: str = "what can you do") -> float:
        """One ordinary chat request; its latency in ms."""
        started = time.perf_counter()
        response = self.client.post(
            "/api/chat", json={"text": text}, headers={"Authorization": f"Bearer {self.session}"}
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        assert response.json()["messages"], "a reply"
        return elapsed

    def socket(self, path: str = "/ws", address: str | None = None) -> ClientConnection:
        headers = {"X-Forwarded-For": address} if address else None
        return connect(
            f"{self.ws_url}{path}", origin=self.url, additional_headers=headers,  # type: ignore[arg-type]
            proxy=None, open_timeout=10, close_timeout=2,
        )  # fmt: skip

    def mark(self) -> int:
        return len(self.records.records)

    def log_since(self, mark: int) -> list[logging.LogRecord]:
        return self.records.records[mark:]


def lines(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in records)


@pytest.fixture(scope="module")
def gateway(small_index, safety_net, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    port = free_port()
    settings = Settings.from_env(
        {
            "VAR_DIR": str(tmp_path_factory.mktemp("limits") / "var"),
            "GATEWAY_PORT": str(port),
            "SESSION_SECRET": "test-session-secret",
            "WS_MAX_PER_ADDRESS": str(PER_ADDRESS),
            "WS_MAX_TOTAL": str(TOTAL),
            "MAX_CONNECTIONS": "500",
            "HEADER_TIMEOUT_SECONDS": str(HEADER_S),
            "BODY_TIMEOUT_SECONDS": str(BODY_S),
            # X-Forwarded-For from loopback is believed: one machine plays many addresses
            "TRUSTED_PROXIES": "127.0.0.1/32",
            "STAFF_TOKENS": f"Sam:{STAFF_TOKEN}",
            "RATE_LIMIT_PER_MINUTE": "600",
            "RATE_LIMIT_PER_ADDRESS": "6000",
        }
    )
    app = create_app(
        settings,
        rasa_transport=httpx.MockTransport(canned_rasa),
        index=small_index,
        safety=safety_net,
    )
    records = Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(records)
    root.setLevel(logging.INFO)
    server.quiet_uvicorn_logs()
    served = uvicorn.Server(server.config(settings, app))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not served.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.05)
        gateway = Gateway(port, records)
        for _ in range(3):  # the models have answered once
            gateway.chat_ms("hello")
        yield gateway
    finally:
        served.should_exit = True
        thread.join(timeout=15)
        root.removeHandler(records)
        root.setLevel(level)


def hello(ws: ClientConnection) -> dict[str, Any]:
    ws.send(json.dumps({"type": "hello", "session": None}))
    return json.loads(ws.recv(timeout=10))


def close_of(ws: ClientConnection) -> tuple[int | None, str]:
    """The close code and reason the server sent (waits for its close frame)."""
    try:
        while True:
            ws.recv(timeout=10)
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, "")


def baseline_ms(gateway: Gateway, n: int = 8) -> float:
    return statistics.median(gateway.chat_ms() for _ in range(n))


def test_sockets_over_the_caps_are_refused_while_a_person_keeps_chatting(
    gateway: Gateway,
) -> None:
    quiet = baseline_ms(gateway)
    held: list[ClientConnection] = []
    try:
        # one address opens 30 sockets: the first 5 are served, the other 25 refused
        refusals = []
        for _ in range(30):
            ws = gateway.socket(address="203.0.113.7")
            held.append(ws)
        served = []
        for ws in held[:PER_ADDRESS]:
            assert hello(ws)["type"] == "hello"
            served.append(ws)
        for ws in held[PER_ADDRESS:]:
            refusals.append(close_of(ws))
        assert len(served) == PER_ADDRESS
        assert {code for code, _ in refusals} == {1008}
        assert all("Too many open connections" in reason for _, reason in refusals)
        # another address still gets in, up to the total cap; beyond it, 1013
        for _ in range(TOTAL - PER_ADDRESS):
            ws = gateway.socket(address="198.51.100.9")
            held.append(ws)
            assert hello(ws)["type"] == "hello"
        full = gateway.socket(address="192.0.2.44")
        code, reason = close_of(full)
        assert code == 1013 and "try again" in reason
        busy = statistics.median(gateway.chat_ms() for _ in range(8))
    finally:
        for ws in held:
            ws.close()
    # a closed socket frees its place
    time.sleep(0.5)
    again = gateway.socket(address="203.0.113.7")
    assert hello(again)["type"] == "hello"
    again.close()
    record(ws_caps={"refused_per_address": len(refusals), "quiet_chat_ms_p50": round(quiet),
                    "chat_ms_p50_with_sockets_capped": round(busy)})  # fmt: skip
    print(f"\nchat p50: quiet {quiet:.0f} ms, with {len(held)} sockets tried {busy:.0f} ms")
    assert busy <= 2 * quiet + 300


def raw(gateway: Gateway) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=15)
    return sock


def closed_after(
    sock: socket.socket, trickle: bytes = b"", every: float = 0.5
) -> tuple[float, bytes]:
    """Trickle `trickle` a byte at a time until the server closes; seconds taken, bytes read."""
    started = time.monotonic()
    received = b""
    sock.settimeout(every)
    sent = 0
    while time.monotonic() - started < 30:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            chunk = None
        except (ConnectionResetError, BrokenPipeError):
            break
        if chunk == b"":
            break
        if chunk:
            received += chunk
            continue
        if trickle:
            try:
                sock.sendall(trickle[sent % len(trickle) : sent % len(trickle) + 1])
            except (ConnectionResetError, BrokenPipeError):
                break
            sent += 1
    return time.monotonic() - started, received


def test_a_trickled_body_is_cut_off_within_the_timeout_and_others_are_served(
    gateway: Gateway,
) -> None:
    quiet = baseline_ms(gateway, 5)
    body = json.dumps({"text": "hello there, is anyone around to talk"}).encode()
    slow = []
    for _ in range(20):
        sock = raw(gateway)
        sock.sendall(
            b"POST /api/chat HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {gateway.session}\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:3]
        )
        slow.append(sock)
    results: list[tuple[float, bytes]] = []

    def trickle(sock: socket.socket) -> None:
        results.append(closed_after(sock, body[3:]))

    threads = [threading.Thread(target=trickle, args=(sock,)) for sock in slow]
    for thread in threads:
        thread.start()
    during = [gateway.chat_ms() for _ in range(5)]
    for thread in threads:
        thread.join()
    for sock in slow:
        sock.close()
    seconds = [s for s, _ in results]
    record(slow_bodies={"clients": len(slow), "closed_after_s_max": round(max(seconds), 2),
                        "chat_ms_p50_quiet": round(quiet),
                        "chat_ms_p50_during": round(statistics.median(during))})  # fmt: skip
    print(f"\n20 trickled bodies closed after {min(seconds):.1f}-{max(seconds):.1f} s; chat p50 "
          f"{quiet:.0f} ms quiet, {statistics.median(during):.0f} ms during")  # fmt: skip
    assert all(b" 408 " in received.split(b"\r\n")[0] for _, received in results)
    assert max(seconds) <= BODY_S + 1.5
    assert statistics.median(during) <= 2 * quiet + 300


def test_slow_or_missing_headers_are_cut_off(gateway: Gateway) -> None:
    idle = raw(gateway)  # connects, sends nothing
    seconds, received = closed_after(idle)
    assert received == b"" and seconds <= HEADER_S + 1.5
    slow = raw(gateway)
    slow.sendall(b"GET /health/live HTTP/1.1\r\nHost: gateway\r\n")
    seconds_slow, received = closed_after(slow, b"X-Padding: a\r\n")
    assert received == b"" and seconds_slow <= HEADER_S + 1.5
    # a kept-alive connection gets the same deadline for its next request's headers
    kept = raw(gateway)
    kept.sendall(b"GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n")
    kept.settimeout(5)
    assert b" 200 " in kept.recv(65536).split(b"\r\n")[0]
    kept.sendall(b"GET /health/live HTTP/1.1\r\n")
    seconds_kept, _ = closed_after(kept, b"X-Padding: a\r\n")
    assert seconds_kept <= HEADER_S + 1.5
    record(slow_headers={"idle_closed_after_s": round(seconds, 2),
                         "trickled_closed_after_s": round(seconds_slow, 2)})  # fmt: skip
    gateway.chat_ms()


def test_a_10_mb_header_is_refused(gateway: Gateway) -> None:
    sock = raw(gateway)
    started = time.monotonic()
    refused = b""
    try:
        sock.sendall(
            b"GET /health/live HTTP/1.1\r\nHost: gateway\r\nX-Huge: "
            + b"a" * (10 * 1024 * 1024) + b"\r\n\r\n"
        )  # fmt: skip
        refused = sock.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        pass  # closed while we were still sending: refused too
    finally:
        sock.close()
    assert refused == b"" or b" 400 " in refused.split(b"\r\n")[0]
    assert time.monotonic() - started < 5
    gateway.chat_ms()


ODD_FIRST_FRAMES: list[tuple[str, str | bytes, int]] = [
    ("not JSON", "hello?", 1008),
    ("binary", b"\x00\x01\x02", 1003),
    ("a JSON list", '["token"]', 1008),
    ("a number token", '{"token": 5}', 1008),
    ("a list token", '{"token": ["a"]}', 1008),
    ("a lone surrogate", '{"token": "\\ud800"}', 1008),
    ("a huge frame", json.dumps({"token": "x" * 200_000}), 1008),
    ("a wrong token", '{"token": "not-a-staff-token"}', 1008),
]


@pytest.mark.parametrize(
    ("what", "frame", "code"), ODD_FIRST_FRAMES, ids=[case[0] for case in ODD_FIRST_FRAMES]
)
def test_odd_first_frames_on_the_staff_socket_close_it_cleanly(
    gateway: Gateway, what: str, frame: str | bytes, code: int
) -> None:
    mark = gateway.mark()
    ws = gateway.socket("/ws/staff")
    ws.send(frame)
    assert close_of(ws)[0] == code
    time.sleep(0.3)
    records = gateway.log_since(mark)
    assert not [r for r in records if r.levelno >= logging.ERROR or r.exc_info], lines(records)


def test_the_staff_socket_still_works_for_staff(gateway: Gateway) -> None:
    ws = gateway.socket("/ws/staff")
    ws.send(json.dumps({"token": STAFF_TOKEN}))
    assert json.loads(ws.recv(timeout=10)) == {"type": "hello", "name": "Sam"}
    ws.close()


def test_the_log_has_no_query_strings_and_no_error_for_a_client_that_left(
    gateway: Gateway,
) -> None:
    mark = gateway.mark()
    # a WebSocket URL with a token in its query string
    ws = gateway.socket(f"/ws?session={QUERY_SENTINEL}")
    assert hello(ws)["type"] == "hello"
    ws.close()
    # a client that leaves halfway through its body, and one that drops its socket
    sock = raw(gateway)
    sock.sendall(
        b"POST /api/chat HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {gateway.session}\r\n".encode()
        + b'Content-Length: 100\r\n\r\n{"text": '
    )
    time.sleep(0.3)
    sock.close()
    dropped = gateway.socket("/ws")
    hello(dropped)
    dropped.send(json.dumps({"type": "message", "text": "hello"}))
    dropped.socket.close()  # no close frame: the connection just ends
    staff = gateway.socket("/ws/staff")
    staff.socket.close()
    assert gateway.client.get(f"/health/live?token={QUERY_SENTINEL}").status_code == 200
    gateway.chat_ms()  # ordinary traffic goes on
    time.sleep(1.5)
    # the gateway's records (httpx's are this test's client; the gateway keeps httpx quiet)
    records = [r for r in gateway.log_since(mark) if not r.name.startswith("httpx")]
    log = lines(records)
    assert QUERY_SENTINEL not in log
    assert '"WebSocket /ws"' in log, "uvicorn's handshake line, without its query string"
    # uvicorn's own lines (handshakes; access lines, should the access log be turned on)
    assert "?" not in "".join(line for line in log.splitlines() if " uvicorn." in line)
    assert [r for r in records if r.getMessage() == "http.client_gone path=/api/chat"]
    assert all(r.levelno == logging.INFO for r in records if "gone" in r.getMessage())
    assert not [r for r in records if r.levelno >= logging.ERROR or r.exc_info], log
