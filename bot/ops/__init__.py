"""Operations: the /healthz, /readyz and /metrics endpoints of `wirebrief run` (server),
its Prometheus metrics (metrics, store_stats) and JSON log lines (logs)."""
