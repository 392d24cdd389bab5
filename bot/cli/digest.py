"""``wirebrief digest``: one dispatch (file, stdin) or a JSONL batch becomes digests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.app import app
from bot.errors import UserInputError
from digests import Digest, Dispatch, summarise

#: Largest dispatch we read. Wire stories are kilobytes; anything this big is not one.
MAX_DISPATCH_BYTES = 5 * 1024 * 1024


def _fail(message: str) -> typer.Exit:
    typer.echo(f"wirebrief: error: {message}", err=True)
    return typer.Exit(code=2)


def _decode(data: bytes, where: str) -> str:
    if len(data) > MAX_DISPATCH_BYTES:
        limit = MAX_DISPATCH_BYTES // 2**20
        raise UserInputError(f"{where} is over {limit} MB; a dispatch may be at most {limit} MB")
    if b"\x00" in data[:8192]:
        raise UserInputError(f"{where} looks binary (NUL bytes), not a text dispatch")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserInputError(f"{where} is not UTF-8 text (undecodable byte at offset {exc.start})") from None
    if not text.strip():
        raise UserInputError(f"{where} is empty: nothing to summarise")
    return text


def read_dispatch_file(source: str) -> Dispatch:
    """Read a dispatch from a path or ``-`` (stdin), with the size cap applied while reading."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_DISPATCH_BYTES + 1)
        return Dispatch(text=_decode(data, "standard input"), source="stdin")
    path = Path(source)
    if path.is_dir():
        raise UserInputError(f"{source} is a directory; give a text file, '-' for standard input, or --batch")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_DISPATCH_BYTES + 1)
    except FileNotFoundError:
        raise UserInputError(f"{source}: no such file") from None
    except PermissionError:
        raise UserInputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise UserInputError(f"{source}: cannot read ({exc.strerror or exc})") from None
    return Dispatch(text=_decode(data, source), source=str(path), id=path.stem)


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _digest_url(url: str, config: Path | None) -> Digest:
    """The link path the chat adapters use: fetch (SSRF-guarded) and summarise."""
    from bot.links import digest_url  # the engine's page fetcher; imported lazily (httpx, trafilatura)

    return digest_url(url, config)


def _print(digest: Digest, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(digest.to_json(), ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from adapters.console.render import render_digest

    Console().print(render_digest(digest))


@app.command()
def digest(
    source: Annotated[
        str | None,
        typer.Argument(help="A dispatch file, '-' for standard input, or an http(s) URL to fetch.", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the digest as JSON (the public contract).")] = False,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help='JSONL file (- for stdin), one {"id", "text", "title"?} per line; streamed.'),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --batch: write JSONL digests here (default stdout).")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML config (for fetching URLs).")] = None,
) -> None:
    """Summarise a dispatch: a written headline, the dateline and the key quotes with speakers."""
    try:
        if batch is not None:
            if source is not None:
                raise UserInputError("give either a dispatch or --batch, not both")
            from bot.cli.batch import run_batch

            raise typer.Exit(run_batch(batch, out))
        if out is not None:
            raise UserInputError("--out only goes with --batch")
        if source is None:
            raise UserInputError("give a dispatch file, '-' for standard input, a URL, or --batch FILE")
        result = _digest_url(source, config) if _is_url(source) else summarise(read_dispatch_file(source))
        _print(result, as_json)
    except UserInputError as exc:
        raise _fail(str(exc)) from None
