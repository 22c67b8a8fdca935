"""Scrapy spiders: discovery and fetching only."""
