"""How the wall round a painting looks: the schema shared by config.yaml (`display.wall`, for
every exhibit) and exhibit files (`wall`, for one), below both."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class WallStyle(BaseModel):
    """The screen round the painting: a plain colour, or the painting itself blurred beyond
    recognition and darkened (a wall lit in its colours); and a frame, if wanted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fill: Literal["colour", "blur"] = "colour"
    colour: HexColour = "#000000"  # with fill: colour; "#RRGGBB"
    darken: float = Field(0.35, ge=0, le=1)  # with fill: blur; the wall's brightness, 0..1
    frame_width: int = Field(0, ge=0, le=120)  # pixels on a 1080-pixel screen; 0 = no frame
    frame_colour: HexColour = "#3b2a1c"  # a dark gilt-wood brown


def rgb(colour: str) -> tuple[int, int, int]:
    """'#RRGGBB' -> (r, g, b)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
