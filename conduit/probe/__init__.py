"""`conduit probe`: K connections at once to PostgreSQL (`postgres`) or Redis (`redis`), the one
burst both run (`burst`), each attempt timed by phase and classified on failure."""
