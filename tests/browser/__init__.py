"""Browser tests: Debian's headless Chromium against a live server."""
