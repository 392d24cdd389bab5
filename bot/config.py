"""Configuration: a TOML file for settings, the environment for secrets and overrides.

Each section is a pydantic-settings model with its own ``WIREBRIEF_<SECTION>_`` prefix, so
``WIREBRIEF_DISCORD_API_BASE`` overrides ``[discord] api_base``. Environment wins over the
file; secrets (tokens, signing secret) are read from the environment only, and a secret
written into the file is refused rather than silently used.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError

#: The bundled sample wire folder (two dispatches), subscribed by console:main on the embedded default.
SAMPLE_WIRE = Path(__file__).resolve().parent / "samples" / "wire"

SECRET_KEYS = {("discord", "token"), ("slack", "bot_token"), ("slack", "signing_secret"), ("slack", "app_token")}


class _Section(BaseSettings):
    """Environment over file: init kwargs (the file) are the lowest-priority source."""

    model_config = SettingsConfigDict(extra="forbid", case_sensitive=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)


def default_data_dir() -> Path:
    return Path(user_data_dir("wirebrief", appauthor=False))


class StoreSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_STORE_", extra="forbid")
    #: SQLAlchemy URL. Empty: SQLite file ``wirebrief.sqlite3`` in the user's data directory.
    url: str = ""
    #: Days digests, deliveries and editions are kept (never less than the story thread window);
    #: items' identities stay for dedupe. 0: keep everything forever. Env WIREBRIEF_STORE_RETENTION_DAYS.
    retention_days: int = Field(90, ge=0, le=36500)

    def resolved_url(self) -> str:
        if self.url:
            return self.url
        return f"sqlite:///{default_data_dir() / 'wirebrief.sqlite3'}"


class FetchSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_FETCH_", extra="forbid")
    #: Tests only: allow fetching loopback (127.0.0.0/8, ::1) and nothing else; private, link-local and
    #: metadata addresses stay refused. Logged loudly when on.
    allow_private_addresses: bool = Field(
        False,
        validation_alias=AliasChoices(
            "allow_private_addresses", "WIREBRIEF_ALLOW_PRIVATE_ADDRESSES", "WIREBRIEF_FETCH_ALLOW_PRIVATE_ADDRESSES"
        ),
    )
    #: Operator only (never from chat): private hosts and networks a newsroom's own sources live on,
    #: e.g. ["10.1.2.0/24", "cms.internal", "*.wires.corp"]; see bot/allowlist.py. Nothing else opens.
    allow_private: list[str] = Field(default_factory=list)
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    max_bytes: int = Field(5 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    user_agent: str = "Wirebrief/0.1 (+https://github.com/wirebrief/wirebrief)"

    @field_validator("allow_private")
    @classmethod
    def _allow_private(cls, value: list[str]) -> list[str]:
        from bot.allowlist import parse_allow_list

        parse_allow_list(value)  # ValueError names the entry
        return value


class SchedulerSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_SCHEDULER_", extra="forbid")
    #: Seconds between polls of one feed; polls are spread over this interval by URL hash.
    poll_interval_seconds: int = Field(300, ge=5)
    #: Seconds between scans of a wire folder.
    wire_interval_seconds: int = Field(30, ge=1)
    #: A wire file is read once unchanged for this long (a file still being written is skipped).
    wire_settle_seconds: float = Field(2.0, ge=0, le=600)
    #: A claimed delivery not marked sent after this many seconds is retried.
    claim_timeout_seconds: int = Field(120, ge=1)
    #: Consecutive fetch failures after which a source is paused and its channels told ...
    failure_limit: int = Field(3, ge=1)
    #: ... or, sooner, once it has failed for this many seconds in a row (at least 2 failures).
    pause_after_seconds: int = Field(3600, ge=60)
    #: The time zone of a schedule when neither the subscription nor its channel names one.
    default_timezone: str = "UTC"
    #: Sources polled at once by this process (each holds a socket and, briefly, a feed body).
    poll_concurrency: int = Field(32, ge=1, le=1024)
    #: Polls at once against one host:port, so one slow or hung server cannot take every slot.
    poll_per_host: int = Field(4, ge=1, le=1024)
    #: Fetch timeout for a source that failed twice or more in a row (instead of [fetch] timeout_seconds).
    failing_timeout_seconds: float = Field(3.0, gt=0, le=120)

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from bot.schedules import check_timezone

        try:
            check_timezone(value)
        except Exception as exc:  # UserInputError: one line, named by the key
            raise ValueError(str(exc)) from None
        return value.strip()


class StoriesSettings(_Section):
    """One story across outlets: how long a story's first post in a channel stays its thread."""

    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_STORIES_", extra="forbid")
    #: A later article of a story within this many hours of its first post in a channel is a
    #: reply in that post's thread (or silently recorded); after it, a new post. 0: never.
    thread_window_hours: float = Field(48.0, ge=0, le=24 * 90)


class ConsoleSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_CONSOLE_", extra="forbid")
    #: Subscribe ``console:main`` to the bundled sample wire folder and feed on first run.
    samples: bool = True
    #: Demo/tests only: seconds each console post takes (shows a slow platform; crash tests).
    post_delay_seconds: float = Field(0.0, ge=0, le=60)


class DiscordSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_DISCORD_", extra="forbid")
    token: SecretStr | None = None
    #: Test-only override of Discord's REST base, e.g. http://127.0.0.1:PORT/api/v10
    api_base: str | None = None
    #: Test-only override of Discord's gateway URL, e.g. ws://127.0.0.1:PORT/
    gateway_url: str | None = None
    #: Shards to run; set to use discord.py's AutoShardedClient.
    shard_count: int | None = Field(None, ge=1)
    #: The shards this instance runs, of ``shard_count`` across all instances: e.g. [0] here and
    #: [1] on another. Discord sends each guild's events to one shard, so to one instance. Unset: all.
    shard_ids: list[int] | None = None
    #: Members with this role may manage subscriptions besides those with Manage Channels.
    manager_role: str | None = None
    #: Guild-scoped command sync (instant) instead of global; useful in development.
    command_guild_id: int | None = None
    #: Seconds discord.py waits for more guilds after the last one arrived before it is ready
    #: (its ``guild_ready_timeout``); tests set it small.
    guild_ready_timeout: float = Field(2.0, gt=0, le=60)
    #: Requests a second for the whole bot token, across every instance sharing [redis]
    #: (Discord's global limit is 50; the margin absorbs requests arriving a little early or late).
    requests_per_second: float = Field(48.0, gt=0, le=50)

    @field_validator("shard_ids")
    @classmethod
    def _shards(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is None:
            return None
        count = info.data.get("shard_count")
        if not count:
            raise ValueError("needs shard_count (the number of shards across every instance)")
        if not value or len(set(value)) != len(value) or not all(0 <= i < count for i in value):
            raise ValueError(f"must be distinct shard numbers from 0 to {count - 1}")
        return value


class SlackSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_SLACK_", extra="forbid")
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    #: Test-only override of the Web API base URL (must end in "/").
    api_base: str | None = None
    mode: Literal["http", "socket"] = "http"
    host: str = "127.0.0.1"
    port: int = Field(3000, ge=0, le=65535)
    #: Who may manage subscriptions: "admins" (workspace admins and the channel's creator) or "everyone".
    managers: Literal["admins", "everyone"] = "admins"

    @field_validator("api_base")
    @classmethod
    def _trailing_slash(cls, value: str | None) -> str | None:
        if value and not value.endswith("/"):
            value += "/"
        return value


class RedisSettings(_Section):
    """Where instances share the platforms' rate limits (bot.ratelimit); unset: one process."""

    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_REDIS_", extra="forbid")
    #: e.g. "redis://127.0.0.1:6379/0". Empty: limits are kept in this process only.
    url: str = ""

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError('must be a Redis URL such as "redis://127.0.0.1:6379/0"')
        return value


class LogSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_LOG_", extra="forbid")
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: "console": ``time level logger: message key=value``; "json": one JSON object a line (bot.ops.logs).
    format: Literal["console", "json"] = "console"

    @field_validator("format", mode="before")
    @classmethod
    def _format_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("level", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        """``level = "debug"`` means what it says; logging's names are upper case."""
        return value.strip().upper() if isinstance(value, str) else value


class OpsSettings(_Section):
    """The operations endpoints (/healthz, /readyz, /metrics) of `wirebrief run` (bot.ops)."""

    model_config = SettingsConfigDict(env_prefix="WIREBRIEF_OPS_", extra="forbid")
    #: 0 (the default): no endpoint server. Off by default because a desktop bot should open no
    #: port and two bots on one machine would fight over a fixed one; containers set 9464.
    port: int = Field(0, ge=0, le=65535)
    #: Loopback by default; "0.0.0.0" in a container so the orchestrator's probes reach it.
    host: str = "127.0.0.1"


class Settings:
    """All sections, plus which platforms ``wirebrief run`` starts."""

    def __init__(self, sections: dict[str, Any], platforms: list[str], wires: dict[str, Path] | None = None) -> None:
        self.store: StoreSettings = sections["store"]
        self.fetch: FetchSettings = sections["fetch"]
        self.scheduler: SchedulerSettings = sections["scheduler"]
        self.stories: StoriesSettings = sections["stories"]
        self.console: ConsoleSettings = sections["console"]
        self.discord: DiscordSettings = sections["discord"]
        self.slack: SlackSettings = sections["slack"]
        self.log: LogSettings = sections["log"]
        self.ops: OpsSettings = sections["ops"]
        self.redis: RedisSettings = sections["redis"]
        self.platforms = platforms
        #: Wire folders users may subscribe to, by name; "sample" is the bundled folder unless overridden.
        self.wires: dict[str, Path] = {"sample": SAMPLE_WIRE, **(wires or {})}


SECTIONS: dict[str, type[_Section]] = {
    "store": StoreSettings,
    "fetch": FetchSettings,
    "scheduler": SchedulerSettings,
    "stories": StoriesSettings,
    "console": ConsoleSettings,
    "discord": DiscordSettings,
    "slack": SlackSettings,
    "log": LogSettings,
    "ops": OpsSettings,
    "redis": RedisSettings,
}
PLATFORMS = ("console", "discord", "slack")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss among ``known``, else an empty string."""
    close = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _first_error(section: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "?"
    if err.get("type") == "extra_forbidden":
        hint = did_you_mean(loc, SECTIONS[section].model_fields)
        return f"config: {section}.{loc}: unknown key{hint} (see config.example.toml)"
    return f"config: {section}.{loc}: {err.get('msg', 'invalid value')}"


def _platforms(given: list[str] | None, raw: dict[str, Any]) -> list[str]:
    """``--platform`` beats ``WIREBRIEF_PLATFORMS`` (``discord,slack``) beats the file's ``platforms``."""
    env = os.environ.get("WIREBRIEF_PLATFORMS", "").strip()
    if given:
        chosen: Any = given
    elif env:
        chosen = [p for p in env.strip("[]").replace(",", " ").replace('"', " ").replace("'", " ").split() if p]
    else:
        chosen = raw.get("platforms", ["console"])
    if isinstance(chosen, str):
        chosen = [chosen]
    if not isinstance(chosen, list) or not chosen or not all(isinstance(p, str) for p in chosen):
        raise ConfigError('config: platforms must be a list such as ["console", "discord"]')
    chosen = [p.strip().lower() for p in chosen]
    for p in chosen:
        if p not in PLATFORMS:
            raise ConfigError(
                f"config: platforms: unknown platform {p!r}{did_you_mean(p, PLATFORMS)} (known: {', '.join(PLATFORMS)})"
            )
    return list(dict.fromkeys(chosen))


def load_settings(path: Path | None = None, platforms: list[str] | None = None) -> Settings:
    """Read ``path`` (if given) and the environment; raise ConfigError naming the bad key."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config: file not found: {path}") from None
        except IsADirectoryError:
            raise ConfigError(f"config: {path} is a directory, not a TOML file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - set(SECTIONS) - {"platforms", "wires"})
    if unknown:
        known = [*SECTIONS, "wires", "platforms"]
        hint = did_you_mean(unknown[0], known)
        raise ConfigError(f"config: unknown section or key {unknown[0]!r}{hint} (known: {', '.join(known)})")
    wires = _wires(raw.get("wires", {}), path)
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        values = raw.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"config: [{name}] must be a table")
        for key in values:
            if (name, key) in SECRET_KEYS:
                env = f"WIREBRIEF_{name.upper()}_{key.upper()}"
                raise ConfigError(f"config: {name}.{key} is a secret: set {env} in the environment, not in the file")
        try:
            sections[name] = cls(**values)
        except ValidationError as exc:
            raise ConfigError(_first_error(name, exc)) from None
    return Settings(sections, _platforms(platforms, raw), wires)


def _wires(table: Any, config_path: Path | None) -> dict[str, Path]:
    """``[wires]`` name = folder; relative folders are taken from the config file's directory."""
    if not isinstance(table, dict):
        raise ConfigError('config: [wires] must be a table of name = "folder path"')
    base = Path(config_path).resolve().parent if config_path is not None else Path.cwd()
    wires: dict[str, Path] = {}
    for name, folder in table.items():
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigError(f"config: wires.{name}: must be a folder path (a string)")
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"config: wires.{name}: names may hold only letters, digits, '-' and '_'")
        path = Path(folder).expanduser()
        wires[name.lower()] = path if path.is_absolute() else base / path
    return wires
