"""Search quality evaluation: dev questions over knowledge/ and the raw seeds."""
