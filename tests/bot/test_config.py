"""Configuration as an operator writes it: case-insensitive levels, platforms from the
environment, and a near-miss key answered with "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wirebrief.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_log_level_in_any_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_config(tmp_path, '[log]\nlevel = "debug"\n')).log.level == "DEBUG"
    with pytest.raises(ConfigError, match=r"log\.level"):
        load_settings(_config(tmp_path, '[log]\nlevel = "chatty"\n'))
    monkeypatch.setenv("WIREBRIEF_LOG_LEVEL", "Warning")
    assert load_settings(None).log.level == "WARNING"


def test_platforms_from_the_environment_beat_the_file_and_lose_to_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, 'platforms = ["console"]\n')
    assert load_settings(config).platforms == ["console"]
    monkeypatch.setenv("WIREBRIEF_PLATFORMS", "discord")
    assert load_settings(config).platforms == ["discord"]
    monkeypatch.setenv("WIREBRIEF_PLATFORMS", "Discord, slack")
    assert load_settings(config).platforms == ["discord", "slack"]
    monkeypatch.setenv("WIREBRIEF_PLATFORMS", '["slack"]')
    assert load_settings(None).platforms == ["slack"]
    assert load_settings(config, ["console"]).platforms == ["console"]
    monkeypatch.setenv("WIREBRIEF_PLATFORMS", "discrod")
    with pytest.raises(ConfigError, match=r"unknown platform 'discrod' \(did you mean 'discord'\?\)"):
        load_settings(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scheduler]\npoll_intervall_seconds = 60\n", "scheduler.poll_intervall_seconds: unknown key (did you mean "
         "'poll_interval_seconds'?)"),
        ("[shceduler]\nfailure_limit = 3\n", "unknown section or key 'shceduler' (did you mean 'scheduler'?)"),
        ('platfroms = ["console"]\n', "unknown section or key 'platfroms' (did you mean 'platforms'?)"),
        ("[fetch]\nzzz = 1\n", "fetch.zzz: unknown key (see config.example.toml)"),
    ],
)  # fmt: skip
def test_a_typo_gets_did_you_mean(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_config(tmp_path, text))
    assert message in str(caught.value)
