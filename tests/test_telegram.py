"""The Telegram channel: the real python-telegram-bot against a fake Bot API server,
with a real Rasa server and action server behind the gateway."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.channels.telegram.channel import TEXT_ONLY
from peerpath import logs
from peerpath.settings import Settings
from tests.helpers.fake_telegram import FakeTelegram, sticker_update, tap_update, text_update
from tests.helpers.gateway import STAFF_ENV
from tests.helpers.net import free_port
from tests.helpers.stack import Stack

pytestmark = pytest.mark.slow

TOKEN = "123456:TEST-telegram-token-never-logged"
STAFF_CHAT = -100777
PEER_ID = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as server:
        server.members[(STAFF_CHAT, PEER_ID)] = "member"
        yield server


def gateway_env(stack: Stack, fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **stack.env, **STAFF_ENV, "VAR_DIR": str(tmp_path / "var"), "HANDOFF_HOURS": "always",
        "RASA_TRACKER_DB": str(stack.settings.rasa_tracker_db), "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.api_url, "TELEGRAM_STAFF_CHAT_ID": str(STAFF_CHAT), **extra,
    }  # fmt: skip


@pytest.fixture
def gateway(stack, fake, tmp_path, knowledge_index, safety_net) -> Iterator[TestClient]:
    settings = Settings.from_env(gateway_env(stack, fake, tmp_path))
    with TestClient(create_app(settings, index=knowledge_index, safety=safety_net)) as client:
        yield client


def keyboard_payloads(params: dict) -> list[str]:
    markup = params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def test_question_answered_with_sources_then_a_button_tap(gateway, fake) -> None:
    fake.push(text_update(501, "how many hours does peer specialist training take"))
    [answer] = fake.wait_sent(chat_id=501)[:1]
    assert "70 to 80 hours" in answer["text"]
    assert answer["parse_mode"] == "HTML"
    assert re.search(r'<a href="http://[^"]+/kb/peer-specialist-training#[^"]+">', answer["text"])
    assert fake.sent("sendChatAction", chat_id=501, action="typing")
    commands = fake.sent("setMyCommands")[0]["commands"]
    assert {c["command"] for c in commands} == {
        "start",
        "help",
        "menu",
        "human",
        "forget",
        "cancel",
        "idioma",
        "language",
    }
    [spanish] = fake.sent("setMyCommands", language_code="es")
    assert [c["command"] for c in spanish["commands"]] == [c["command"] for c in commands]
    assert any(c["description"] == "Hablar con un compañero de apoyo" for c in spanish["commands"])

    more = keyboard_payloads(answer)[0]
    before = len(fake.sent(chat_id=501))
    fake.push(tap_update(501, 501, more))
    fake.wait_for(lambda: fake.sent("answerCallbackQuery"), what="the tap to be answered")
    fake.wait_sent(before + 1, chat_id=501)


def test_start_asks_who_is_asking(gateway, fake) -> None:
    fake.push(text_update(502, "/start"))
    messages = fake.wait_sent(2, chat_id=502)
    assert "I'm PeerPath" in messages[0]["text"]
    assert len(keyboard_payloads(messages[1])) == 5


def test_sticker_gets_a_friendly_text_only_reply(gateway, fake) -> None:
    fake.push(sticker_update(503))
    [reply] = fake.wait_sent(chat_id=503)
    assert reply["text"] == TEXT_ONLY


def test_other_groups_are_ignored(gateway, fake) -> None:
    fake.push(text_update(-100999, "hello everyone", from_id=505))
    fake.push(text_update(506, "hi"))
    fake.wait_sent(chat_id=506)
    assert fake.sent(chat_id=-100999) == []


def test_forget_deletes_after_confirmation(gateway, fake, stack) -> None:
    fake.push(text_update(507, "hello"))
    # a first "hello" gets a greeting, then the who-is-asking question: wait for both
    fake.wait_for(
        lambda: any(len(keyboard_payloads(m)) == 5 for m in fake.sent(chat_id=507)),
        what="the who-is-asking question",
    )
    conv = gateway.app.state.services.conversations.conversation_id("telegram", "507")
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        assert (
            db.execute("SELECT count(*) FROM events WHERE sender_id=?", (conv,)).fetchone()[0] > 0
        )
    before = len(fake.sent(chat_id=507))
    fake.push(text_update(507, "/forget"))
    ask = fake.wait_sent(before + 1, chat_id=507)[-1]
    assert "can't be undone" in ask["text"]
    assert keyboard_payloads(ask) == ["forget:yes", "forget:no"]
    fake.push(tap_update(507, 507, "forget:yes"))
    done = fake.wait_sent(before + 2, chat_id=507)[-1]
    assert done["text"].startswith("Done. I deleted your conversation history")
    with sqlite3.connect(stack.settings.rasa_tracker_db) as db:
        assert (
            db.execute("SELECT count(*) FROM events WHERE sender_id=?", (conv,)).fetchone()[0] == 0
        )


def test_a_spanish_speaker_is_asked_and_answered_in_spanish_by_the_channel_too(
    gateway, fake
) -> None:
    fake.push(text_update(517, "hola, ¿cuánto gana un especialista de pares?"))
    fake.wait_sent(1, chat_id=517)
    before = len(fake.sent(chat_id=517))
    fake.push(text_update(517, "/forget"))
    ask = fake.wait_sent(before + 1, chat_id=517)[-1]
    assert ask["text"].startswith("Esto borra tu conversación con PeerPath")
    titles = [b["text"] for row in ask["reply_markup"]["inline_keyboard"] for b in row]
    assert titles == ["Sí, borrar mi historial", "No, mantenerlo"]
    fake.push(tap_update(517, 517, "forget:no"))
    kept = fake.wait_sent(before + 2, chat_id=517)[-1]
    assert kept["text"] == "Está bien, no se borró nada."


def test_flood_control_429_is_retried(gateway, fake) -> None:
    fake.fail_next("sendMessage", 429, {"description": "Too Many Requests: retry after 1",
                                        "parameters": {"retry_after": 1}})  # fmt: skip
    fake.push(text_update(508, "are you a bot?"))
    refused, delivered = fake.wait_sent(2, chat_id=508, timeout=30)  # the 429, then the retry
    assert refused["text"] == delivered["text"]
    assert "computer program" in delivered["text"]


def test_handoff_relay_between_a_user_chat_and_the_staff_group(gateway, fake) -> None:
    person = 509
    fake.push(text_update(person, "/human"))
    offer = fake.wait_sent(chat_id=person)[-1]
    assert "peer supporter" in offer["text"]
    fake.push(tap_update(person, person, keyboard_payloads(offer)[0]))  # "Yes, connect me"
    topics = fake.wait_sent(2, chat_id=person)[-1]
    fake.push(tap_update(person, person, keyboard_payloads(topics)[1]))  # "Benefits"
    waiting = fake.wait_sent(3, chat_id=person)[-1]
    assert "A peer supporter will join here" in waiting["text"]

    card = fake.wait_sent(chat_id=STAFF_CHAT)[0]
    assert "Topic: Benefits" in card["text"] and "Channel: telegram" in card["text"]
    claim = keyboard_payloads(card)[0]

    # someone outside the staff chat can't claim
    fake.push(tap_update(STAFF_CHAT, 777, claim, name="Mallory"))
    refused = fake.wait_for(
        lambda: [p for p in fake.sent("answerCallbackQuery") if "Only the peer staff" in str(p)],
        what="the refusal",
    )
    assert refused
    fake.push(tap_update(STAFF_CHAT, PEER_ID, claim, name="Sam"))
    joined = fake.wait_sent(4, chat_id=person)[-1]
    assert joined["text"].startswith("Sam, a peer supporter, has joined")

    card_id = gateway.app.state.services.handoff.store.list_open()[0].staff_ref
    long_reply = "Hi! " + "_*[]()~`>#+-=|{}.! <b>not bold</b> & more. " * 120
    fake.push(text_update(STAFF_CHAT, long_reply, from_id=PEER_ID,
                          reply_to_message={"message_id": int(card_id), "date": 0,
                                            "chat": {"id": STAFF_CHAT, "type": "supergroup"},
                                            "text": card["text"]}))  # fmt: skip
    pieces = fake.wait_sent(6, chat_id=person)[4:]
    assert all(len(p["text"]) <= 4096 for p in pieces)
    delivered = "\n\n".join(p["text"] for p in pieces)
    assert (
        delivered.replace("\n\n", " ")
        .replace("  ", " ")
        .startswith("Sam: Hi! _*[]()~`&gt;#+-=|{}.!")
    )
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; more." in delivered

    fake.push(text_update(person, "thank you, that helps"))
    relayed = fake.wait_for(
        lambda: [p for p in fake.sent(chat_id=STAFF_CHAT) if "thank you, that helps" in p["text"]],
        what="the relay to staff",
    )[0]
    assert str(relayed["reply_parameters"]["message_id"]) == card_id

    fake.push(text_update(STAFF_CHAT, "/end", from_id=PEER_ID,
                          reply_to_message={"message_id": int(card_id), "date": 0,
                                            "chat": {"id": STAFF_CHAT, "type": "supergroup"},
                                            "text": card["text"]}))  # fmt: skip
    back = fake.wait_for(
        lambda: [p for p in fake.sent(chat_id=person) if "back with the assistant" in p["text"]],
        what="the end of the hand-off",
    )
    assert back


def plain(html: str) -> str:
    """A message's text without its HTML tags (the crisis card is sent in bold)."""
    return re.sub(r"<[^>]+>", "", html)


def test_a_bystander_gets_911_first_and_the_staff_group_sees_which_card(gateway, fake) -> None:
    person = 511
    fake.push(text_update(person, "my roommate took a whole bottle of pills and won't wake up"))
    [card] = fake.wait_sent(chat_id=person)
    assert plain(card["text"]).startswith("Please call 911 now")
    assert "1-800-222-1222" in card["text"] and "naloxone" in card["text"]
    fake.push(tap_update(person, person, keyboard_payloads(card)[0]))  # "Connect me with a peer"
    ticket = fake.wait_sent(chat_id=STAFF_CHAT)[0]
    assert "URGENT" in ticket["text"] and "bystander card" in ticket["text"]


def test_a_poisoning_in_progress_gets_911_and_poison_control_first(gateway, fake) -> None:
    fake.push(text_update(512, "i just swallowed all of my pills and i feel really strange"))
    [card] = fake.wait_sent(chat_id=512)
    first, second = plain(card["text"]).splitlines()[:2]
    assert first.startswith("Please call 911 now") and "1-800-222-1222" in second


def test_rasa_down_says_so_once_not_per_message(stack, fake, tmp_path, knowledge_index,
                                                 safety_net) -> None:  # fmt: skip
    env = gateway_env(stack, fake, tmp_path, RASA_PORT=str(free_port()), RASA_URL="")
    settings = Settings.from_env({k: v for k, v in env.items() if k != "RASA_URL"})
    with TestClient(create_app(settings, index=knowledge_index, safety=safety_net)):
        fake.push(text_update(510, "hello"))
        [notice] = fake.wait_sent(chat_id=510)
        assert "having trouble" in notice["text"]
        fake.push(text_update(510, "hello again"))
        fake.push(text_update(511, "ping"))
        fake.wait_sent(chat_id=511)
        assert len(fake.sent(chat_id=510)) == 1


def test_webhook_refuses_a_wrong_secret_and_takes_the_right_one(
    stack, fake, tmp_path, knowledge_index, safety_net, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    emitted = io.StringIO()
    logs.configure("DEBUG", secrets=[TOKEN], stream=emitted)  # as the gateway's entry point does
    env = gateway_env(stack, fake, tmp_path, TELEGRAM_WEBHOOK_URL="https://peerpath.example/telegram/webhook",
                      TELEGRAM_WEBHOOK_SECRET="webhook-secret-123456")  # fmt: skip
    with TestClient(
        create_app(Settings.from_env(env), index=knowledge_index, safety=safety_net)
    ) as client:
        [hook] = fake.sent("setWebhook")
        assert hook["url"] == "https://peerpath.example/telegram/webhook"
        assert hook["secret_token"] == "webhook-secret-123456"
        update = {"update_id": 1, **text_update(512, "are you a bot")}
        assert client.post("/telegram/webhook", json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        assert client.post("/telegram/webhook", json=update, headers=wrong).status_code == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": "webhook-secret-123456"}
        assert client.post("/telegram/webhook", json=update, headers=right).status_code == 200
        [reply] = fake.wait_sent(chat_id=512)
        assert "computer program" in reply["text"]
        assert not fake.sent("getUpdates"), "webhook mode never polls"
    logging.getLogger().handlers.clear()
    assert "telegram" in emitted.getvalue() or caplog.records
    assert TOKEN not in emitted.getvalue(), "the bot token reached a log line"
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and TOKEN in r.getMessage()]


def test_an_urgent_ticket_nobody_claims_is_posted_again_with_the_leads_mentioned(
    stack, fake, tmp_path, knowledge_index, safety_net
) -> None:
    env = gateway_env(stack, fake, tmp_path, URGENT_ESCALATE_MINUTES="3",
                      URGENT_ESCALATE_MENTIONS="@lead_lee, @lead_kai")  # fmt: skip
    app = create_app(Settings.from_env(env), index=knowledge_index, safety=safety_net)
    with TestClient(app) as gateway:
        person = 513
        fake.push(text_update(person, "my roommate took a whole bottle of pills and won't wake up"))
        [card] = fake.wait_sent(chat_id=person)
        fake.push(tap_update(person, person, keyboard_payloads(card)[0]))
        fake.wait_sent(chat_id=STAFF_CHAT)
        svc = gateway.app.state.services
        [ticket] = svc.handoff.store.list_open()
        four_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4)
        svc.handoff.store.change(ticket.id, created_at=four_minutes_ago)
        gateway.portal.call(svc.handoff.check_waits)
        gateway.portal.call(svc.handoff.check_waits)  # once per interval, not per check
        alerts = fake.wait_for(
            lambda: [p for p in fake.sent(chat_id=STAFF_CHAT) if "nobody has claimed" in p["text"]],
            what="the escalation",
        )
        assert len(alerts) == 1, alerts
        assert "4 min" in alerts[0]["text"] and "@lead_lee @lead_kai" in alerts[0]["text"]


def test_replies_lists_the_saved_replies_in_the_staff_group(gateway, fake) -> None:
    desk = gateway.app.state.services.handoff.desk
    fake.push(text_update(STAFF_CHAT, "/replies", from_id=PEER_ID))
    fake.wait_for(
        lambda: [p for p in fake.sent(chat_id=STAFF_CHAT) if "No saved replies" in p["text"]],
        what="the empty list",
    )
    desk.save_reply("What WIPA is", "WIPA is free benefits counseling.", "", "Sam")
    desk.save_reply("Horario", "Estamos de 9 a 5.", "es", "Sam")
    fake.push(text_update(STAFF_CHAT, "/replies", from_id=PEER_ID))
    [listing] = fake.wait_for(
        lambda: [p for p in fake.sent(chat_id=STAFF_CHAT) if "What WIPA is" in p["text"]],
        what="the saved replies",
    )
    assert "Horario (es):\nEstamos de 9 a 5." in listing["text"]
    # someone outside the staff chat gets nothing (updates are handled in order: once the
    # staff member's /queue after it is answered, the outsider's /replies was handled)
    fake.push(text_update(STAFF_CHAT, "/replies", from_id=999))
    fake.push(text_update(STAFF_CHAT, "/queue", from_id=PEER_ID))
    fake.wait_for(
        lambda: [p for p in fake.sent(chat_id=STAFF_CHAT) if "No open tickets" in p["text"]],
        what="the queue",
    )
    assert len([p for p in fake.sent(chat_id=STAFF_CHAT) if "What WIPA is" in p["text"]]) == 1
