"""The finding/report model shared by the preview and the validator, and its reporters."""
