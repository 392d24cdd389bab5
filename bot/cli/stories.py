"""``wirebrief stories``: which articles of a JSONL file report the same story.

Articles are replayed in arrival order (by ``published``; a line without it arrives with the
latest time read before it) through the same online clusterer the bot uses, and one
``{"id", "story"}`` line is written per input line, in input order; the story is the id of its
first article. Lines are read as ``digest --batch`` reads them (bounded line length, bad
bytes replaced): a bad line gets ``{"id", "error"}`` and the rest go on. Each line's features
are taken as it is read, so only features, not texts, wait for the replay.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import app
from bot.cli.batch import MAX_DISPATCH_BYTES, MAX_LINE_BYTES, LineError, _open_input, _open_output, _write, read_lines
from bot.cli.digest import _fail
from bot.codepoints import clean_code_points
from bot.errors import UserInputError
from digests.stories import Article, StoryFeatures, StoryIndex, extract

log = logging.getLogger(__name__)


def _published(value: Any, ident: Any, lineno: int) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LineError(ident, f'line {lineno}: "published" must be an ISO date or date-time string')
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise LineError(ident, f'line {lineno}: "published" {value[:40]!r} is not an ISO date or date-time') from None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def parse_line(lineno: int, raw: bytes) -> tuple[Any, Article, datetime | None]:
    """(id as given, article, published) of one input line; LineError with a one-line reason."""
    try:
        obj = json.loads(clean_code_points(raw.decode("utf-8", errors="replace")).lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise LineError(None, f"line {lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise LineError(None, f"line {lineno}: JSON nested too deeply") from None
    if not isinstance(obj, dict):
        raise LineError(None, f'line {lineno}: expected a JSON object with "id" and "text"')
    ident = obj.get("id")
    if isinstance(ident, str):
        ident = clean_code_points(ident)
    if isinstance(ident, bool) or not isinstance(ident, str | int) or ident == "":
        raise LineError(None, f'line {lineno}: "id" must be a non-empty string or an integer')
    text, title, source = obj.get("text"), obj.get("title"), obj.get("source")
    if not isinstance(text, str) or not text.strip():
        raise LineError(ident, f'line {lineno}: "text" must be a non-empty string')
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DISPATCH_BYTES:
        raise LineError(ident, f'line {lineno}: "text" is over {MAX_DISPATCH_BYTES // 2**20} MB')
    for name, value in (("title", title), ("source", source)):
        if value is not None and not isinstance(value, str):
            raise LineError(ident, f'line {lineno}: "{name}" must be a string or absent')
    when = _published(obj.get("published"), ident, lineno)
    article = Article(str(ident), clean_code_points(text), clean_code_points(title or "") or None, source or None)
    return ident, article, when


def cluster_lines(
    lines: Iterable[tuple[int, bytes | None]], seen: Callable[[int, bytes | None], None] | None = None
) -> list[dict[str, Any]]:
    """One output record per non-blank line, in input order."""
    records: list[dict[str, Any]] = []
    arrivals: list[tuple[datetime, int, str, StoryFeatures, Any]] = []
    ids: set[str] = set()
    latest = datetime.min
    for lineno, raw in lines:
        if seen is not None:
            seen(lineno, raw)
        if raw is not None and not raw.strip():
            continue
        try:
            if raw is None:
                raise LineError(None, f"line {lineno}: longer than {MAX_LINE_BYTES // 2**20} MB; skipped")
            ident, article, when = parse_line(lineno, raw)
            if article.id in ids:
                raise LineError(ident, f'line {lineno}: duplicate "id" {article.id!r}')
            features = extract(article)
        except LineError as exc:
            records.append({"id": exc.ident, "error": str(exc)})
            continue
        except Exception as exc:  # a clustering bug must not end the run: this line fails, the rest go on
            log.debug("stories line %d failed", lineno, exc_info=True)
            records.append({"id": None, "error": f"line {lineno}: could not be read ({type(exc).__name__})"})
            continue
        ids.add(article.id)
        latest = max(latest, when) if when is not None else latest
        arrivals.append((when or latest, len(records), article.id, features, ident))
        records.append({"id": ident, "story": None})
    arrivals.sort(key=lambda a: (a[0], a[1]))
    index = StoryIndex()
    for when, slot, key, features, ident in arrivals:
        story = index.assign(key, features, when if when != datetime.min else None).story
        records[slot]["story"] = int(story) if isinstance(ident, int) else story
    return records


_OUT_HELP = 'Write {"id", "story"} lines here (default stdout).'
_IN_HELP = 'JSONL (or - for standard input): one {"id", "text", "title"?, "source"?, "published"?} per line.'


@app.command()
def stories(
    source: Annotated[Path, typer.Argument(help=_IN_HELP)],
    out: Annotated[
        Path | None, typer.Option("--out", help='Write {"id", "story"} lines here (default stdout).')
    ] = None,
) -> None:
    """Group articles into stories: one story across outlets and days (story = its first article's id)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    try:
        with ExitStack() as stack:
            stream, size = _open_input(source, stack)
            progress = stack.enter_context(
                Progress(
                    TextColumn("[bold]stories"),
                    BarColumn(),
                    TaskProgressColumn(),
                    TextColumn("{task.fields[lines]} lines"),
                    TimeElapsedColumn(),
                    console=Console(stderr=True),
                )
            )
            task = progress.add_task("stories", total=size, lines=0)

            def advance(lineno: int, raw: bytes | None) -> None:
                progress.update(task, advance=len(raw) if raw else 0, lines=lineno)

            records = cluster_lines(read_lines(stream), advance)
            progress.update(task, completed=size)
            sink = _open_output(out, stack)
            for record in records:
                _write(sink, record)
    except UserInputError as exc:
        raise _fail(str(exc)) from None
    errors = sum(1 for r in records if "error" in r)
    if errors:
        typer.echo(f'wirebrief: {errors} of {len(records)} lines failed (see "error" in the output)', err=True)
