"""Crawl runs: the subprocess of one crawl, the supervisor, run records, schedules, `monitor serve` and status."""
