"""`conduit probe`: concurrent database connections, timed by phase, classified on failure."""
