"""The domain core: pure functions and small value classes, clock injected, no I/O.

Nothing in this package imports Qt, SQLite, the network or the file system. Every function
that depends on time takes ``now`` (an aware datetime) as an argument.
"""
