"""Administration: departments, staff accounts, and (later) calendar and settings."""
