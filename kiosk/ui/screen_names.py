"""The screens ``kiosk screenshot`` and ``kiosk say`` can stage (docs/command.md): a name each,
without Qt, so the command line can offer them without loading the UI."""

SCREENS = ("home", "ticket", "ticket-on-screen", "scan", "privacy", "out-of-order")
