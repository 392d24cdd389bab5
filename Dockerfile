# Wirebrief in a container: `docker build -t wirebrief .` then see compose.yaml.
# The same install as the README (pip install of this project and its pinned lower bounds), into a
# venv, as a regular (not editable) install because the image keeps no working copy to edit.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/wirebrief/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY digests ./digests
RUN python -m venv /opt/wirebrief \
    && /opt/wirebrief/bin/pip install -q . \
    && rm -rf /src

# A user of its own, no shell login, no write access outside /data.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin wirebrief \
    && mkdir -p /data && chown wirebrief /data

# XDG_DATA_HOME=/data: the default SQLite store is /data/wirebrief/wirebrief.sqlite3 (WAL files beside it).
# The ops endpoints are on in the container (port 9464 on every interface of the container's own
# network namespace), so the orchestrator's probes and Prometheus reach them; publish the port only
# to networks you trust. Slack's HTTP mode listens on 3000 when that platform is on.
ENV XDG_DATA_HOME=/data \
    WIREBRIEF_OPS_PORT=9464 \
    WIREBRIEF_OPS_HOST=0.0.0.0 \
    WIREBRIEF_SLACK_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 9464 3000
USER wirebrief
WORKDIR /data

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.ops.probe", "/healthz"]

# Configuration through WIREBRIEF_* environment variables (see config.example.toml), or mount a
# file and add `--config /config/wirebrief.toml`.
ENTRYPOINT ["wirebrief"]
CMD ["run"]
