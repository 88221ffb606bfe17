"""Settings: defaults, validation that names the key only, secrets hidden."""

from __future__ import annotations

import pytest

from peerpath.errors import ConfigError
from peerpath.settings import Secret, Settings, read_env_file


def test_defaults_are_loopback_and_documented_ports() -> None:
    settings = Settings.from_env({})
    assert settings.gateway_host == "127.0.0.1"
    assert (settings.gateway_port, settings.rasa_port, settings.action_server_port) == (
        8080,
        5005,
        5055,
    )
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.max_message_chars == 2000
    assert settings.rasa_tracker_db.name == "rasa-tracker.db"


def test_ports_change_derived_urls() -> None:
    settings = Settings.from_env({"RASA_PORT": "6000", "ACTION_SERVER_PORT": "6001"})
    assert settings.rasa_url == "http://127.0.0.1:6000"
    assert settings.action_server_url == "http://127.0.0.1:6001"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("GATEWAY_PORT", "eighty"),
        ("RASA_PORT", "70000"),
        ("RASA_TIMEOUT", "soon"),
        ("URGENT_ESCALATE_MINUTES", "never"),
        ("URGENT_ESCALATE_MENTIONS", "lee kai"),
    ],
)
def test_bad_value_names_the_key_not_the_value(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({key: value})
    assert key in str(info.value)
    assert value not in str(info.value)


def test_secrets_never_show_in_repr() -> None:
    settings = Settings.from_env({"RASA_TOKEN": "hunter2-token", "SESSION_SECRET": "s3cr3t"})
    assert "hunter2-token" not in repr(settings)
    assert "s3cr3t" not in repr(settings)
    assert settings.rasa_token.reveal() == "hunter2-token"
    assert str(Secret("x")) == "Secret('**********')"


def test_env_file_fills_keys(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nGATEWAY_PORT=9000\nexport LOG_LEVEL='DEBUG'\n\nNOPE\n")
    assert read_env_file(env_file) == {"GATEWAY_PORT": "9000", "LOG_LEVEL": "DEBUG"}
    assert read_env_file(tmp_path / "missing") == {}
