"""Printer and scanner drivers and their simulators (ESC/POS, evdev, serial)."""
