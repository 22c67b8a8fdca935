"""The state store (schedules, runs, HTTP validators, alert outbox, UI sources): SQLite on one machine, PostgreSQL shared by many."""
