"""``python -m bot.ops.probe [/healthz]``: a container healthcheck without curl in the image.

Asks this host's ops endpoint (``[ops] port`` from WIREBRIEF_OPS_PORT, as the bot reads it) for
the path and exits 0 on a 200, 1 otherwise with one line saying why. Settings come from the
environment only, which is how containers configure the bot.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.config import OpsSettings

PATHS = ("/healthz", "/readyz")


def probe(path: str = "/healthz", timeout: float = 3.0) -> str | None:
    """None when the endpoint answers 200; otherwise why not."""
    if path not in PATHS:
        return f"unknown path {path!r} (known: {', '.join(PATHS)})"
    ops = OpsSettings()
    if not ops.port:
        return "the ops endpoints are off: set WIREBRIEF_OPS_PORT"
    host = "127.0.0.1" if ops.host in ("0.0.0.0", "", "::") else ops.host
    url = f"http://{host}:{ops.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return None if resp.status == 200 else f"{url} answered {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}: {exc.read(300).decode(errors='replace')}"
    except OSError as exc:
        return f"{url}: {getattr(exc, 'reason', None) or exc}"


def main(argv: list[str]) -> int:
    why = probe(argv[0] if argv else "/healthz")
    if why is not None:
        print(f"wirebrief probe: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
