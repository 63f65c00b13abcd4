"""Public front pages."""
