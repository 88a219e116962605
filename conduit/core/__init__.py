"""The core: settings, Google Cloud facts, capacity arithmetic. Imports nothing else of the project."""
