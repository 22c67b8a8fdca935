"""The state store: one SQLite file on a single machine (schedules, runs, HTTP validators, alert outbox, UI sources)."""
