"""A made-up news site (three outlets, feeds, sitemaps, comment threads) for `monitor demo` and the tests."""
