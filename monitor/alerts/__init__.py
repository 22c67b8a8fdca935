"""Alerts: saved searches matched against new documents right after indexing, notified through Apprise."""
