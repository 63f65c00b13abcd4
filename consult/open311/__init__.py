"""Open311 GeoReport v2 for the mailboxes (``/open311/v2/``), and the client keys that may file letters."""
