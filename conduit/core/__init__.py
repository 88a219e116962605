"""Settings, Google Cloud facts, capacity arithmetic: imports nothing else of the project."""
