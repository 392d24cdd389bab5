"""Configuration for several instances: `[redis] url`, `[discord] shard_ids` and
`requests_per_second`, each refused with one line naming the key when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def settings_from(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "wirebrief.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_redis_url_from_the_file_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings_from(tmp_path, "").redis.url == ""  # the default: limits kept in the process
    assert settings_from(tmp_path, '[redis]\nurl = "redis://127.0.0.1:6379/0"\n').redis.url.endswith("/0")
    monkeypatch.setenv("WIREBRIEF_REDIS_URL", "redis://10.0.0.5:6379/2")
    assert settings_from(tmp_path, '[redis]\nurl = "redis://127.0.0.1:6379/0"\n').redis.url == "redis://10.0.0.5:6379/2"


def test_a_url_that_is_not_redis_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^config: redis\.url: .*redis://127\.0\.0\.1:6379/0"):
        settings_from(tmp_path, '[redis]\nurl = "http://127.0.0.1:6379"\n')


def test_shard_ids_are_this_instances_share_of_shard_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(tmp_path, "[discord]\nshard_count = 4\nshard_ids = [1, 3]\n")
    assert settings.discord.shard_ids == [1, 3]
    monkeypatch.setenv("WIREBRIEF_DISCORD_SHARD_IDS", "[2]")
    assert settings_from(tmp_path, "[discord]\nshard_count = 4\n").discord.shard_ids == [2]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("shard_ids = [0]", "needs shard_count"),
        ("shard_count = 2\nshard_ids = [2]", "from 0 to 1"),
        ("shard_count = 2\nshard_ids = [0, 0]", "distinct"),
        ("requests_per_second = 60", "requests_per_second"),
    ],
)
def test_wrong_sharding_or_rate_is_one_line_naming_the_key(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        settings_from(tmp_path, f"[discord]\n{table}\n")
    assert str(caught.value).startswith("config: discord.") and "\n" not in str(caught.value)
