"""Thin Scrapy item pipelines over monitor/*."""
