"""``wirebrief stories``: which articles of a JSONL file report the same story.

Articles are replayed in arrival order (by ``published``; lines without it arrive where they
stand in the file) through the same online clusterer the bot uses, and one ``{"id", "story"}``
line is written per input line, in input order; the story is the id of its first article. A
bad line gets ``{"id", "error"}`` and the rest go on, as with ``digest --batch``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import app
from bot.cli.digest import MAX_DISPATCH_BYTES, _fail
from bot.errors import UserInputError
from digests.stories import Article, StoryIndex, extract


class _LineError(UserInputError):
    def __init__(self, ident: Any, message: str) -> None:
        super().__init__(message)
        self.ident = ident


def _published(value: Any, ident: Any, lineno: int) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _LineError(ident, f'line {lineno}: "published" must be an ISO date or date-time string')
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _LineError(ident, f'line {lineno}: "published" {value[:40]!r} is not an ISO date or date-time') from None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def parse_line(lineno: int, line: str) -> tuple[Any, Article, datetime | None]:
    """(id as given, article, published) of one input line; raises with a one-line reason."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _LineError(None, f"line {lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise _LineError(None, f'line {lineno}: expected a JSON object with "id" and "text"')
    ident = obj.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or ident == "":
        raise _LineError(None, f'line {lineno}: "id" must be a non-empty string or an integer')
    text, title, source = obj.get("text"), obj.get("title"), obj.get("source")
    if not isinstance(text, str) or not text.strip():
        raise _LineError(ident, f'line {lineno}: "text" must be a non-empty string')
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DISPATCH_BYTES:
        raise _LineError(ident, f'line {lineno}: "text" is over {MAX_DISPATCH_BYTES // 2**20} MB')
    for name, value in (("title", title), ("source", source)):
        if value is not None and not isinstance(value, str):
            raise _LineError(ident, f'line {lineno}: "{name}" must be a string or absent')
    when = _published(obj.get("published"), ident, lineno)
    return ident, Article(str(ident), text, title or None, source or None, when), when


def _read_lines(path: Path) -> list[str]:
    if path.is_dir():
        raise UserInputError(f"{path} is a directory; give a JSONL file")
    try:
        if str(path) == "-":
            return sys.stdin.read().splitlines()
        return path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise UserInputError(f"{path} is not UTF-8 text (undecodable byte at offset {exc.start})") from None


def cluster_lines(lines: list[str], advance: Any = None) -> list[dict[str, Any] | None]:
    """One output record per line (None for blank lines), in input order."""
    records: list[dict[str, Any] | None] = [None] * len(lines)
    arrivals: list[tuple[datetime, int, Article, Any]] = []
    seen: set[str] = set()
    latest = datetime.min
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            ident, article, when = parse_line(i + 1, line)
            if article.id in seen:
                raise _LineError(article.id, f'line {i + 1}: duplicate "id" {article.id!r}')
        except _LineError as exc:
            records[i] = {"id": exc.ident, "error": str(exc)}
            continue
        seen.add(article.id)
        latest = max(latest, when) if when is not None else latest
        arrivals.append((when or latest, i, article, ident))
    arrivals.sort(key=lambda a: (a[0], a[1]))
    index = StoryIndex()
    for when, i, article, ident in arrivals:
        assignment = index.assign(article.id, extract(article), when if when != datetime.min else None)
        records[i] = {"id": ident, "story": _label(assignment.story, ident)}
        if advance is not None:
            advance()
    return records


def _label(story: str, ident: Any) -> Any:
    """The story label in the id's own type (an integer id gives integer story labels)."""
    return int(story) if isinstance(ident, int) and story.lstrip("-").isdigit() else story


_IN_HELP = 'JSONL: one {"id", "text", "title"?, "source"?, "published"?} per line.'


@app.command()
def stories(
    source: Annotated[Path, typer.Argument(help=_IN_HELP)],
    out: Annotated[
        Path | None, typer.Option("--out", help='Write {"id", "story"} lines here (default stdout).')
    ] = None,
) -> None:
    """Group articles into stories: one story across outlets and days (story = its first article's id)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    try:
        lines = _read_lines(source)
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
    except UserInputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"{out}: cannot write ({exc.strerror or exc})") from None
    progress = Progress(
        TextColumn("[bold]stories"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    try:
        with progress:
            task = progress.add_task("stories", total=sum(1 for line in lines if line.strip()))
            records = cluster_lines(lines, lambda: progress.advance(task))
            progress.update(task, completed=progress.tasks[0].total)
        errors = 0
        for record in records:
            if record is None:
                continue
            errors += "error" in record
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out:
            sink.close()
    if errors:
        typer.echo(f'wirebrief: {errors} of {len(lines)} lines failed (see "error" in the output)', err=True)
