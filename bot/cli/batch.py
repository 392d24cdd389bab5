"""``wirebrief digest --batch``: JSONL in, one JSONL record out per line, streamed.

The input is read line by line (a file or ``-`` for standard input) and each record is
written and flushed before the next line is read, so memory stays bounded by the longest
line whatever the file's size, and output appears while input is still arriving. One error
boundary per line: a line that is not JSON, lacks a text, is too long or breaks the
summariser becomes ``{"id", "error"}`` and the batch goes on. Invalid code points (bytes
that are not UTF-8, lone surrogates from ``\\ud800`` escapes) become U+FFFD, as everywhere
else in the bot.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from bot.codepoints import clean_code_points
from bot.errors import UserInputError
from digests import Dispatch, summarise

log = logging.getLogger(__name__)

#: Largest dispatch text; the same cap as a single dispatch file.
MAX_DISPATCH_BYTES = 5 * 1024 * 1024
#: Longest line read: room for the text JSON-escaped, plus id and title.
MAX_LINE_BYTES = 2 * MAX_DISPATCH_BYTES + 64 * 1024
_CHUNK = 1 << 16


class LineError(UserInputError):
    """One line cannot be digested; ``ident`` is its id when the line had one."""

    def __init__(self, ident: Any, message: str) -> None:
        super().__init__(message)
        self.ident = ident


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) one line at a time; ``None`` for a line over ``limit``, whose
    rest is skipped in chunks so it never sits in memory whole."""
    lineno = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield lineno, None
            continue
        yield lineno, raw


def parse_line(lineno: int, raw: bytes) -> tuple[Any, Dispatch]:
    """The dispatch a line asks for, or LineError saying why not."""
    text_line = clean_code_points(raw.decode("utf-8", errors="replace")).lstrip("\ufeff")
    try:
        obj = json.loads(text_line)
    except json.JSONDecodeError as exc:
        raise LineError(None, f"line {lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise LineError(None, f"line {lineno}: JSON nested too deeply") from None
    if not isinstance(obj, dict):
        raise LineError(None, f'line {lineno}: expected a JSON object with "id" and "text"')
    ident = _clean(obj.get("id"))
    text, title = _clean(obj.get("text")), _clean(obj.get("title"))
    if not isinstance(text, str):
        raise LineError(ident, f'line {lineno}: "text" must be a string')
    if title is not None and not isinstance(title, str):
        raise LineError(ident, f'line {lineno}: "title" must be a string or absent')
    if not text.strip():
        raise LineError(ident, f'line {lineno}: "text" is empty')
    if len(text.encode("utf-8")) > MAX_DISPATCH_BYTES:
        raise LineError(ident, f'line {lineno}: "text" is over {MAX_DISPATCH_BYTES // 2**20} MB')
    return ident, Dispatch(text=text, title=title or None, id=None if ident is None else str(ident))


def _clean(value: Any) -> Any:
    """JSON string escapes can still spell lone surrogates (``"\\ud800"``)."""
    return clean_code_points(value) if isinstance(value, str) else value


def digest_line(lineno: int, raw: bytes | None) -> tuple[dict[str, Any], bool]:
    """The output record for one line and whether it is an error record; never raises."""
    if raw is None:
        return {"id": None, "error": f"line {lineno}: longer than {MAX_LINE_BYTES // 2**20} MB; skipped"}, True
    ident: Any = None
    try:
        ident, dispatch = parse_line(lineno, raw)
        record = summarise(dispatch).to_json()
    except LineError as exc:
        return {"id": exc.ident, "error": str(exc)}, True
    except Exception as exc:  # the summariser must not end the batch: this line fails, the rest go on
        log.debug("batch line %d failed", lineno, exc_info=True)
        return {"id": ident, "error": f"line {lineno}: could not be digested ({type(exc).__name__})"}, True
    if ident is not None:
        record = {"id": ident, **{k: v for k, v in record.items() if k != "id"}}
    return record, False


def stream_batch(
    stream: IO[bytes], sink: IO[str], seen: Callable[[int, bytes | None], None] | None = None
) -> tuple[int, int]:
    """Digest ``stream`` line by line into ``sink``, each record flushed before the next line
    is read. Returns (lines read, error records written)."""
    lines = errors = 0
    for lineno, raw in read_lines(stream):
        lines = lineno
        if seen is not None:
            seen(lineno, raw)
        if raw is not None and not raw.strip():
            continue
        record, failed = digest_line(lineno, raw)
        errors += failed
        _write(sink, record)
    return lines, errors


def run_batch(batch: Path, out: Path | None) -> int:
    """Digest every line of ``batch`` (``-``: standard input) into ``out`` (default stdout)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with ExitStack() as stack:
        stream, size = _open_input(batch, stack)
        sink = _open_output(out, stack)
        progress = stack.enter_context(
            Progress(
                TextColumn("[bold]digest"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[lines]} lines"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
        )
        task = progress.add_task("digest", total=size, lines=0)

        def advance(lineno: int, raw: bytes | None) -> None:
            progress.update(task, advance=len(raw) if raw else 0, lines=lineno)

        lines, errors = stream_batch(stream, sink, advance)
        progress.update(task, completed=size, lines=lines)
    if errors:
        from typer import echo

        echo(f'wirebrief: {errors} of {lines} lines failed (see "error" in the output)', err=True)
    return 0


def _open_input(batch: Path, stack: ExitStack) -> tuple[IO[bytes], int | None]:
    if str(batch) == "-":
        return sys.stdin.buffer, None
    if batch.is_dir():
        raise UserInputError(f"{batch} is a directory; --batch takes a JSONL file")
    try:
        stream = stack.enter_context(batch.open("rb"))
    except FileNotFoundError:
        raise UserInputError(f"{batch}: no such file") from None
    except PermissionError:
        raise UserInputError(f"{batch}: permission denied") from None
    except OSError as exc:
        raise UserInputError(f"{batch}: cannot read ({exc.strerror or exc})") from None
    try:
        size = batch.stat().st_size or None
    except OSError:
        size = None
    return stream, size


def _open_output(out: Path | None, stack: ExitStack) -> IO[str]:
    if out is None:
        return sys.stdout
    try:
        return stack.enter_context(out.open("w", encoding="utf-8"))
    except OSError as exc:
        raise UserInputError(f"{out}: cannot write ({exc.strerror or exc})") from None


def _write(sink: IO[str], record: dict[str, Any]) -> None:
    line = clean_code_points(json.dumps(record, ensure_ascii=False))
    try:
        sink.write(line + "\n")
        sink.flush()
    except OSError as exc:
        where = getattr(sink, "name", None) or "the output"
        raise UserInputError(f"{where}: cannot write ({exc.strerror or exc})") from None
