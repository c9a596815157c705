"""Simulators that behave like the real devices: an ESC/POS printer and barcode scanners."""
