"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="wirebrief",
    help="Wirebrief: news dispatches become digests — a headline and every quote with its speaker.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Wirebrief: news dispatches become digests — a headline and every quote with its speaker."""
