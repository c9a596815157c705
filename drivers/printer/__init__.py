"""The ESC/POS ticket printer: connections, the ticket layout, real-time status."""
