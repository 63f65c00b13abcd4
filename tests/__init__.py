"""The test suite (a package, so each helper module has one name: ``tests.<name>``)."""
