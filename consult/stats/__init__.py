"""Public statistics (政务公开) and the officers' dashboard."""
