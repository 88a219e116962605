"""The conduit CrossGuard pack as a package: `policies.rules` (one module per rule) and
`policies.guard` (the machinery they share). `__main__.py` is what the engine runs."""
