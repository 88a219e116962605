"""`conduit validate`: measure the success criteria on a live stack, and classify every failure."""
