"""Media monitor: crawl news sites, extract articles and comment threads, index and search them."""
import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
