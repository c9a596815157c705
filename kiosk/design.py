"""The design tokens: one set of colours, type, spacing, radii and focus for every surface.

The totem's Qt screens turn a :class:`Theme` into a style sheet; the web pages (display, desk,
phone, statistics) get the same values as CSS custom properties from :func:`css`. One type family
for Latin (Noto Sans) and one for Arabic (Noto Sans Arabic), both from Debian's fonts-noto-core,
which the package depends on; the servers hand the same files to the browsers (:data:`FONT_FILES`).
Every text pair is checked at 4.5:1 or more (WCAG) by a test. Nothing depends on colour alone:
every state also has words (a closed service says "Closed, opens at 14:30").

Pure Python (no Qt).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

TOUCH_TARGET_MM = 20  # a touch target at least 2 cm on its short side

FONT_LATIN = "Noto Sans"
FONT_ARABIC = "Noto Sans Arabic"
FONT_STACK = f'"{FONT_LATIN}", "{FONT_ARABIC}", sans-serif'
FONT_DIR = Path("/usr/share/fonts/truetype/noto")  # Debian's fonts-noto-core
# (family, weight) -> file, the only files the servers hand out (at /fonts/NAME).
FONT_FILES = {
    (FONT_LATIN, 400): "NotoSans-Regular.ttf",
    (FONT_LATIN, 700): "NotoSans-Bold.ttf",
    (FONT_ARABIC, 400): "NotoSansArabic-Regular.ttf",
    (FONT_ARABIC, 700): "NotoSansArabic-Bold.ttf",
}
# Sizes as multiples of a surface's body size (the totem's depends on its screen's height).
TYPE_SCALE = {"small": 0.8, "body": 1.0, "lead": 1.2, "title": 1.4, "name": 1.5, "number": 6.0}
SPACE = {"xs": 4, "s": 8, "m": 16, "l": 24, "xl": 32, "xxl": 48}  # px on the pages
RADIUS = {"s": 4, "m": 8, "l": 16}
# GOV.UK's focus: a yellow that no other state uses, with a black line beside it, so it shows
# on any colour (3:1 or more against both the yellow and whatever it sits on).
FOCUS = "#ffdd00"
FOCUS_INK = "#0b0c0c"
NAVY = "#14213d"  # the one navy: headers, text, the display's board

# A service's pictogram (``[[services]] icon``): Google's Material Icons (Apache 2.0), from
# Debian's fonts-material-design-icons-iconfont. Our name -> the glyph's code point.
PICTOGRAM_FONT = "Material Icons"
PICTOGRAMS = {
    "registry": "\ue7fb", "id-card": "\uea67", "certificate": "\ue7af", "document": "\ue873",
    "taxes": "\uea15", "payments": "\uef63", "building": "\uea09", "housing": "\uea40",
    "family": "\uf1a2", "school": "\ue80c", "elderly": "\uf21a", "accessible": "\ue914",
    "social": "\uea70", "appointment": "\ue878", "info": "\ue88e", "vehicles": "\ue531",
    "waste": "\ue760", "work": "\ue8f9", "health": "\ue548", "post": "\ue158",
    "travel": "\ue539", "legal": "\ue90e", "children": "\ueb41", "receipt": "\uef6e",
    "office": "\ue84f", "elections": "\ue175", "works": "\uea3c", "parks": "\uea63",
    "library": "\ue54b", "languages": "\ue8e2", "help": "\uf0e2", "pets": "\ue91d",
}  # fmt: skip


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
    warning: str  # the staff's small paper-low notice, the printer-fault banner
    warning_text: str
    danger: str = "#a4001d"  # a lost connection
    danger_text: str = "#ffffff"
    focus: str = FOCUS
    focus_text: str = FOCUS_INK

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
            "danger": (self.danger_text, self.danger),
            "focus": (self.focus_text, self.focus),
        }

    def branded(self, primary: str | None) -> Theme:
        """This theme with the town's colour (``[branding] primary``, which configuration
        refuses unless white text on it reads at 4.5:1) on its buttons and header; the
        high-contrast theme stays as it is."""
        if not primary or self.name == "high_contrast":
            return self
        if self.name == "board":  # the board keeps its yellow number: the town's colour heads it
            return dataclasses.replace(self, header=primary)
        accent = primary if contrast(primary, self.background) >= 4.5 else self.accent
        return dataclasses.replace(self, button=primary, header=primary, accent=accent)


NORMAL = Theme(
    name="normal",
    background="#f4f6fa",
    text=NAVY,
    muted="#4a5568",
    button="#0b5cad",
    button_text="#ffffff",
    disabled="#dde3ec",
    disabled_text="#3d4a5c",
    accent="#0b4f94",
    header=NAVY,
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
    # Focus inverts a yellow button: black with white words and a white frame.
    focus="#000000",
    focus_text="#ffffff",
)
# The waiting-room display: a dark board, seen from across a room.
BOARD = Theme(
    name="board",
    background=NAVY,
    text="#ffffff",
    muted="#c3cfe2",
    button="#2b4a7a",
    button_text="#ffffff",
    disabled="#24365a",
    disabled_text="#dbe3ef",
    accent="#ffd23f",
    header="#0d1730",
    header_text="#ffffff",
    warning="#fff3cd",
    warning_text="#5c4400",
)
THEMES = (NORMAL, HIGH_CONTRAST, BOARD)


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


def font_faces(base: str = "/fonts/") -> str:
    """``@font-face`` rules for the two families: the device's own copy when it has one, else
    the file the server hands out under ``base``."""
    return "".join(
        f'@font-face{{font-family:"{family}";font-weight:{weight};font-display:swap;'
        f'src:local("{family}{" Bold" if weight == 700 else ""}"),url({base}{name})}}'
        for (family, weight), name in FONT_FILES.items()
    )


def css(theme: Theme = NORMAL, *, primary: str | None = None, fonts: str | None = "/fonts/") -> str:
    """The tokens as CSS custom properties, the type family and the focus style, for a page's
    ``<style>`` (its own rules use ``var(--primary)``, ``var(--space-m)``...)."""
    t = theme.branded(primary)
    colours = {
        "bg": t.background, "ink": t.text, "muted": t.muted, "primary": t.button,
        "on-primary": t.button_text, "disabled": t.disabled,
        "on-disabled": t.disabled_text, "accent": t.accent, "header": t.header,
        "on-header": t.header_text, "warning": t.warning,
        "on-warning": t.warning_text, "danger": t.danger, "on-danger": t.danger_text,
        "focus": t.focus, "focus-ink": t.focus_text,
    }  # fmt: skip
    props = [f"--{k}:{v}" for k, v in colours.items()]
    props += [f"--space-{k}:{v}px" for k, v in SPACE.items()]
    props += [f"--radius-{k}:{v}px" for k, v in RADIUS.items()]
    props.append(f"--font:{FONT_STACK}")
    return (
        (font_faces(fonts) if fonts else "")
        + ":root{" + ";".join(props) + "}"
        + "body{font-family:var(--font)}"
        + ":focus-visible{outline:4px solid var(--focus);outline-offset:2px;"
        "box-shadow:0 0 0 2px var(--focus-ink)}"
    )  # fmt: skip
