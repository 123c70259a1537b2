"""WCAG 2.x contrast, so that a city's own colour never makes its header unreadable."""

DARK_INK = "#000000"  # pure black: with white, it guarantees at least 4.58:1 on any colour
LIGHT_INK = "#ffffff"


def relative_luminance(hex_colour: str) -> float:
    """Relative luminance of an sRGB colour given as #rrggbb (WCAG 2.x definition)."""
    value = hex_colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_ink(background: str) -> str:
    """The text colour, light or dark, with the higher contrast on `background`."""
    return max((LIGHT_INK, DARK_INK), key=lambda ink: contrast_ratio(background, ink))
