"""Locust users for `make bench-chat`: real multi-turn conversations, two ways in.

`GatewayUser` talks to the gateway's JSON API as the widget does (a session,
then messages). `RasaUser` sends the same conversation straight to Rasa's
REST channel, so the run shows what the gateway adds. Each user holds one
conversation at a time: who they are, questions, a follow-up, "tell me
more", a button tap, the benefits check with a side question, thanks. Then
it starts a new conversation. Run by eval/bench/chat_bench.py, which starts
the stack and reads Locust's CSV output.
"""

from __future__ import annotations

import json
import os
import uuid

from locust import HttpUser, constant, task
from locust.exception import StopUser

CONVERSATION = [
    "hi",
    '/set_role{"user_role": "job_seeker"}',
    "what does a vocational peer specialist do",
    "/tell_me_more",
    "how much do peer specialists earn",
    "is that hourly?",
    "help me check my benefits",
    '/inform{"benefit_program": "SSDI"}',
    "how long does peer specialist training take",
    '/inform{"work_status": "considering"}',
    "who should supervise peer specialists",
    "thanks!",
]
WHICH = os.environ.get("BENCH_TARGET", "gateway")


class GatewayUser(HttpUser):
    """A person on the web widget's JSON API."""

    wait_time = constant(0)
    weight = 1 if WHICH == "gateway" else 0

    @task
    def converse(self) -> None:
        created = self.client.post("/api/session", name="/api/session")
        if created.status_code == 201:
            auth, body = {"Authorization": f"Bearer {created.json()['session']}"}, {}
        elif created.status_code in (404, 405):  # a gateway from before sessions were issued
            auth, body = {}, {"session_id": f"bench-{uuid.uuid4().hex[:12]}"}
        else:
            raise StopUser()
        for text in CONVERSATION:
            with self.client.post(
                "/api/chat", json={**body, "text": text}, headers=auth, name="/api/chat",
                catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 200 or not response.json().get("messages"):
                    response.failure(f"HTTP {response.status_code}")


class RasaUser(HttpUser):
    """The same conversation straight to Rasa's REST channel (no gateway)."""

    wait_time = constant(0)
    weight = 1 if WHICH == "rasa" else 0

    @task
    def converse(self) -> None:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in CONVERSATION:
            with self.client.post(
                "/webhooks/rest/webhook", data=json.dumps({"sender": sender, "message": text}),
                headers={"content-type": "application/json"}, name="rasa /webhooks/rest/webhook",
                catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 200 or not response.json():
                    response.failure(f"HTTP {response.status_code}")
