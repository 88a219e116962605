"""The Pulumi components of the Conduit stack: typed args in, never pulumi.Config()."""
