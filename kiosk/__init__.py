"""Totem: a queue totem for public offices that never learns who anyone is."""

__version__ = "0.1.0"
