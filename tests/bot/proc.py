"""Running the real `wirebrief` command in a subprocess, with its own data dir and env."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

WIREBRIEF = [sys.executable, "-c", "from bot.cli import main; main()"]


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        COLUMNS="200",
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
        TERM="dumb",
        **extra,
    )
    return env


def wirebrief(tmp_path: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WIREBRIEF, *args],
        env=cli_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
    )


class Bot:
    """A `wirebrief run` process writing its console output to a file we can watch."""

    def __init__(self, tmp_path: Path, name: str, *args: str, **env: str) -> None:
        self.out = tmp_path / f"{name}.out"
        self.err = tmp_path / f"{name}.err"
        self._out = self.out.open("w")
        self._err = self.err.open("w")
        self.proc = subprocess.Popen(
            [*WIREBRIEF, "run", *args],
            env=cli_env(tmp_path, **env),
            stdout=self._out,
            stderr=self._err,
            cwd=tmp_path,
        )
        try:
            self._started(name)
        except BaseException:
            self.kill9()  # a bot that never started must not outlive its test
            raise

    def _started(self, name: str, timeout: float = 30.0) -> None:
        """Wait until the engine says it started. Start-up (imports, migrations) is not the
        behaviour under test, and on a loaded machine it alone can take longer than the 5 s
        every behavioural wait allows; so it gets its own, looser bound."""
        wait_until(
            lambda: (
                "wirebrief: running" in self.err.read_text(encoding="utf-8", errors="replace")
                or self.proc.poll() is not None
            ),
            timeout=timeout,
            what=f"{name} to start",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"{name} exited at start-up: {self.err.read_text()}")

    def text(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def kill9(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._close()

    def interrupt(self) -> int:
        """Ctrl-C, and the exit status once it has stopped."""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # it did not stop on Ctrl-C: that fails the test, but leaks no process
            self.proc.wait(timeout=5)
            raise
        finally:
            self._close()

    def _close(self) -> None:
        self._out.close()
        self._err.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def panels(text: str) -> list[str]:
    """The printed digest panels (each starts with a rounded top-left corner)."""
    return [chunk for chunk in text.split("╭")[1:]]


def count_token(outputs: list[str], token: str) -> int:
    return sum(1 for text in outputs for panel in panels(text) if token in panel)
