"""The Pulumi components of the Conduit stack. They take typed args and never read pulumi.Config()."""
