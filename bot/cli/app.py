"""The Typer application every command module registers on.

Plain Click help (``rich_markup_mode=None``): Rich markup would eat ``[wires]`` and other
bracketed words in help texts, and its panels show type metavars such as ``<bool>`` for flags.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

app = typer.Typer(
    name="wirebrief",
    help="Wirebrief: news dispatches become digests — a headline and every quote with its speaker.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def package_version() -> str:
    try:
        return version("wirebrief")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"wirebrief {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version and exit.", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """Wirebrief: news dispatches become digests — a headline and every quote with its speaker."""
