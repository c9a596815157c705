"""Colours and sizes of the touch UI, and the WCAG contrast ratio they are checked with.

Pure Python (no Qt): the window turns a :class:`Theme` into a style sheet. Nothing depends on
colour alone: every state also has words (a closed service says "Closed, opens at 14:30").
"""

from __future__ import annotations

from dataclasses import dataclass

TOUCH_TARGET_MM = 20  # a touch target at least 2 cm on its short side


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str  # secondary text on the background
    button: str  # an available service
    button_text: str
    disabled: str  # an unavailable service
    disabled_text: str
    accent: str  # the ticket number
    header: str
    header_text: str
    warning: str  # the staff's small paper-low notice
    warning_text: str

    def pairs(self) -> dict[str, tuple[str, str]]:
        """Every foreground/background pair the UI draws text with."""
        return {
            "text": (self.text, self.background),
            "muted": (self.muted, self.background),
            "button": (self.button_text, self.button),
            "disabled": (self.disabled_text, self.disabled),
            "accent": (self.accent, self.background),
            "header": (self.header_text, self.header),
            "warning": (self.warning_text, self.warning),
        }


NORMAL = Theme(
    name="normal",
    background="#f4f6fa",
    text="#14213d",
    muted="#4a5568",
    button="#0b5cad",
    button_text="#ffffff",
    disabled="#dde3ec",
    disabled_text="#3d4a5c",
    accent="#0b4f94",
    header="#14213d",
    header_text="#ffffff",
    warning="#fff3cd",
    warning_text="#5c4400",
)
HIGH_CONTRAST = Theme(
    name="high_contrast",
    background="#000000",
    text="#ffffff",
    muted="#ffffff",
    button="#ffff00",
    button_text="#000000",
    disabled="#000000",
    disabled_text="#ffffff",
    accent="#ffff00",
    header="#000000",
    header_text="#ffffff",
    warning="#ffffff",
    warning_text="#000000",
)
THEMES = (NORMAL, HIGH_CONTRAST)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def mm_to_px(mm: float, dpi: float) -> int:
    return round(mm / 25.4 * dpi)
