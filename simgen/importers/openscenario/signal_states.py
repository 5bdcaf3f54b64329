"""Traffic signal states as files write them -> simgen's (red, yellow, green, off,
flashing_yellow). Words pass through; esmini's lamp lists ("off;off;on": one entry per lamp,
top to bottom: red, yellow, green; two lamps: red, green) become the lit colour."""

from __future__ import annotations

from simgen.importers.openscenario.context import Ctx, Element

WORDS = {
    "red": "red", "yellow": "yellow", "amber": "yellow", "green": "green", "off": "off",
    "flashing_yellow": "flashing_yellow", "flashingyellow": "flashing_yellow",
}  # fmt: skip
LAMPS = {3: ("red", "yellow", "green"), 2: ("red", "green")}


def signal_state(ctx: Ctx, el: Element, attr: str = "state") -> str:
    raw = str(ctx.text(el, attr)).strip()
    word = WORDS.get(raw.lower().replace(" ", "_"))
    if word is not None:
        return word
    lamps = [p.strip().lower() for p in raw.split(";")]
    colours = LAMPS.get(len(lamps))
    if colours is not None and all(p in ("on", "off", "flashing") for p in lamps):
        lit = [c for c, p in zip(colours, lamps, strict=True) if p != "off"]
        if not lit:
            return "off"
        if lit == ["yellow"] and "flashing" in lamps:
            return "flashing_yellow"
        if len(lit) == 1 and "flashing" not in lamps:
            return lit[0]
    raise ctx.unsupported(
        el,
        f"signal state '{raw}' (red, yellow, green, off, flashing_yellow, "
        "or one lamp lit of 'on;off;off' lists)",
    )
