"""Platform adapters: console (the embedded default), Discord and Slack. Thin translators."""
