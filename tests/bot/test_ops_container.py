"""The container files, checked without pulling an image: every WIREBRIEF_* variable that
compose.yaml and the Dockerfile set is a real config key and loads; the healthchecks run the
probe against an endpoint the ops server serves; the probe itself against a real `wirebrief run`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import SECTIONS, load_settings
from tests.bot.proc import Bot, cli_env
from tests.bot.test_ops import free_port
from tests.conftest import write_config

ROOT = Path(__file__).resolve().parents[2]
PROBE = ["python", "-m", "bot.ops.probe", "/healthz"]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def known_env() -> set[str]:
    """Every variable the bot reads: WIREBRIEF_<SECTION>_<KEY> for each key, and WIREBRIEF_PLATFORMS."""
    names = {"WIREBRIEF_PLATFORMS"}
    for cls in SECTIONS.values():
        prefix = cls.model_config["env_prefix"]
        names |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    return names


def interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` with nothing set in the environment: the default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def bots() -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose()["services"].items() if name.startswith("bot-")}


def test_compose_starts_postgresql_redis_and_two_bots_that_wait_for_them() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "bot-1", "bot-2"}
    assert services["postgres"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    for name, bot in bots().items():
        assert bot["build"] == ".", name
        assert bot["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    host_ports = [port.rsplit(":", 1)[0] for bot in bots().values() for port in bot["ports"]]
    assert host_ports == ["127.0.0.1:9464", "127.0.0.1:9465"]  # loopback on the host, one port each


def test_compose_env_is_real_config_keys_that_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, bot in bots().items():
        env = {key: interpolate(value) for key, value in bot["environment"].items()}
        unknown = sorted(set(env) - known_env())
        assert not unknown, f"{name} sets variables the bot does not read: {unknown}"
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = load_settings()
        assert settings.store.url == "postgresql+psycopg://wirebrief:wirebrief@postgres:5432/wirebrief"
        pg = compose()["services"]["postgres"]["environment"]
        assert (pg["POSTGRES_USER"], pg["POSTGRES_DB"]) == ("wirebrief", "wirebrief")
        assert (settings.ops.host, settings.ops.port, settings.log.format) == ("0.0.0.0", 9464, "json")
        assert settings.platforms == ["console"]
        assert [p.split(":")[-1] for p in bot["ports"]] == [str(settings.ops.port)]


def test_healthchecks_probe_the_liveness_endpoint() -> None:
    from bot.ops.server import ENDPOINTS

    for name, bot in bots().items():
        test = bot["healthcheck"]["test"]
        assert test[0] == "CMD" and test[1:] == PROBE, name
        assert test[-1] in ENDPOINTS
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["' + '", "'.join(PROBE) + '"]' in dockerfile


def test_dockerfile_is_slim_non_root_with_a_data_volume_and_the_packages_setuptools_installs() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in lines and "ENV XDG_DATA_HOME=/data \\" in lines
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {line.split()[1] for line in lines if line.startswith("COPY ") and line.split()[1] != "pyproject.toml"}
    assert copied == packages
    env_keys = set(re.findall(r"\b(WIREBRIEF_[A-Z_]+)=", text))
    assert env_keys and env_keys <= known_env()


def test_probe_answers_for_a_running_bot_and_says_why_when_not(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}")
    port = free_port()

    def probe(path: str, ops_port: int) -> subprocess.CompletedProcess[str]:
        env = cli_env(tmp_path, WIREBRIEF_OPS_PORT=str(ops_port), WIREBRIEF_OPS_HOST="0.0.0.0")
        cmd = [sys.executable, "-m", "bot.ops.probe", path]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30, cwd=ROOT)

    bot = Bot(tmp_path, "bot", "--config", str(config), WIREBRIEF_OPS_PORT=str(port))
    try:
        healthy, ready = probe("/healthz", port), probe("/readyz", port)
    finally:
        assert bot.interrupt() == 0
    assert (healthy.returncode, healthy.stderr) == (0, "")
    assert (ready.returncode, ready.stderr) == (0, "")
    down = probe("/healthz", port)  # the bot has stopped
    assert down.returncode == 1
    assert down.stderr.startswith(f"wirebrief probe: http://127.0.0.1:{port}/healthz: ")
    off = probe("/healthz", 0)
    assert off.returncode == 1
    assert off.stderr.strip() == "wirebrief probe: the ops endpoints are off: set WIREBRIEF_OPS_PORT"
