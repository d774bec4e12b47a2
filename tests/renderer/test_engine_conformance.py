"""What every engine must do (the `Engine` protocol), checked on every engine `make_engine` can
make from `engine.name`: real portraits, rigged at the shown size and reduced (a close-up
rendered smaller and scaled up), and a few motions.

The checks are plain functions, so the last tests can show that each of them fails on a frame
that breaks its rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import cv2
import numpy as np
import pytest

from kiosk.config import EngineConfig
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import Engine, make_engine
from kiosk.renderer.face_rig import PaintingRig
from kiosk.renderer.rig_store import RigRequest, RigStore

ENGINE_NAMES: tuple[str, ...] = get_args(EngineConfig.model_fields["name"].annotation)
PORTRAITS = ("grace_hopper.jpg", "astronaut.png")  # the kiosk's own sample content
MOTIONS = {
    "neutral": Motion(),
    "smile and turn": motion_from_controls({"smile": 0.8, "yaw": 12.0}),
    "blink, open jaw, look aside": motion_from_controls(
        {"blink": 1.0, "jaw_open": 0.6, "gaze_x": 0.7}
    ),
}
# Nobody moving shows the still face: at most this mean and 99th-percentile change in the
# animated area, in levels (the geometric engine changes nothing at the shown size, and at most
# two levels through the upscale of a reduced rig; a smile of 0.1 changes the 99th percentile
# of a face by 4 to 8 levels).
NEUTRAL_MEAN, NEUTRAL_P99 = 0.5, 2.0
# A motion visibly moves the face: more than this share of the animated area changes by more
# than 8 levels (the motions above change 11 to 44 %).
MOVED_SHARE = 0.02


@dataclass(frozen=True)
class Still:
    """A rigged painting as the kiosk shows it when nobody moves."""

    image: np.ndarray  # the still painting at its shown size (a copy: never rendered into)
    rig: PaintingRig
    animated: np.ndarray  # bool, shown size: where a frame may differ from the still


def animated_area(rig: PaintingRig) -> np.ndarray:
    """The faces' regions at the shown size; for a reduced rig scaled up and widened by the
    reach of the cubic upscale (two rendered pixels each way, and one for rounding)."""
    mask = np.zeros(rig.image.shape[:2], np.uint8)
    for face in rig.faces:
        mask |= face.region_mask(rig.image.shape)
    if rig.shown_size is None:
        return mask > 0
    mask = cv2.dilate(mask, np.ones((7, 7), np.uint8))
    return cv2.resize(mask, rig.shown_size, interpolation=cv2.INTER_NEAREST) > 0


def level_change(frame: np.ndarray, still: Still) -> np.ndarray:
    """Per pixel, the largest change of any channel from the still, in levels."""
    return np.abs(frame.astype(np.int16) - still.image.astype(np.int16)).max(axis=2)


# -- the rules ------------------------------------------------------------------------------


def check_like_the_still(frame: np.ndarray, still: Still) -> None:
    assert isinstance(frame, np.ndarray)
    assert frame.shape == still.image.shape, (frame.shape, still.image.shape)
    assert frame.dtype == still.image.dtype, (frame.dtype, still.image.dtype)


def check_background_untouched(frame: np.ndarray, still: Still) -> None:
    outside = ~still.animated
    assert outside.any()
    changed = np.count_nonzero(level_change(frame, still)[outside])
    assert changed == 0, f"{changed} pixels changed outside the animated regions"


def check_close_to_still(frame: np.ndarray, still: Still) -> None:
    change = level_change(frame, still)[still.animated]
    assert change.mean() <= NEUTRAL_MEAN, change.mean()
    assert np.percentile(change, 99) <= NEUTRAL_P99, np.percentile(change, 99)


def check_moved(frame: np.ndarray, still: Still) -> None:
    moved = float((level_change(frame, still)[still.animated] > 8).mean())
    assert moved > MOVED_SHARE, moved


def check_identical(first: np.ndarray, second: np.ndarray) -> None:
    assert first.shape == second.shape and first.dtype == second.dtype
    assert np.array_equal(first, second), f"{np.count_nonzero(first != second)} values differ"


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("content")
    ensure_sample_content(root)
    return root / "samples"


@pytest.fixture(scope="module", params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    made = make_engine(EngineConfig(name=request.param))
    yield made
    made.close()


@pytest.fixture(scope="module", params=PORTRAITS)
def portrait(request: pytest.FixtureRequest, content: Path) -> np.ndarray:
    image = cv2.imread(str(content / request.param))
    assert image is not None, request.param
    return image


def _reduced(engine: Engine, image: np.ndarray, full: PaintingRig) -> Still:
    """The portrait as a close-up over the face-pixel limit: the rig store rigs it smaller."""
    h, w = image.shape[:2]
    store = RigStore(
        max_face_pixels=full.face_pixels // 2, engine_config=EngineConfig(name=engine.name)
    )
    try:
        request = RigRequest("conformance", (w, h))
        store.get(request, image)
        store.wait(timeout=120)
        result = store.get(request, image)
    finally:
        store.close()
    assert result is not None and result.rig is not None, result
    assert result.rig.shown_size == (w, h)  # it really is rendered reduced
    return Still(result.image.copy(), result.rig, animated_area(result.rig))


@pytest.fixture(scope="module", params=["shown size", "reduced"])
def still(request: pytest.FixtureRequest, engine: Engine, portrait: np.ndarray) -> Still:
    rig = engine.build_rig(portrait)
    if request.param == "reduced":
        return _reduced(engine, portrait, rig)
    return Still(rig.image.copy(), rig, animated_area(rig))


@pytest.fixture(scope="module")
def frames(engine: Engine, still: Still) -> dict[str, np.ndarray]:
    """Each motion rendered into a fresh frame (the still itself never)."""
    return {name: engine.render(still.rig, [motion]) for name, motion in MOTIONS.items()}


# -- every engine ---------------------------------------------------------------------------


def test_the_factory_makes_the_engine_it_is_asked_for(engine: Engine) -> None:
    assert isinstance(engine, Engine)  # every member of the protocol is there
    assert engine.name in ENGINE_NAMES
    again = make_engine(EngineConfig(name=engine.name))
    try:
        assert again.name == engine.name and type(again) is type(engine)
    finally:
        again.close()


@pytest.mark.parametrize("motion", list(MOTIONS))
def test_a_frame_has_the_still_paintings_shape_and_dtype(
    motion: str, still: Still, frames: dict[str, np.ndarray]
) -> None:
    check_like_the_still(frames[motion], still)


@pytest.mark.parametrize("motion", list(MOTIONS))
def test_pixels_outside_the_animated_regions_are_the_still_paintings(
    motion: str, still: Still, frames: dict[str, np.ndarray]
) -> None:
    check_background_untouched(frames[motion], still)


def test_rendering_leaves_the_rigs_painting_alone(
    still: Still, frames: dict[str, np.ndarray]
) -> None:
    if still.rig.shown_size is None:
        check_identical(still.rig.image, still.image)
    else:  # the reduced rig holds the painting at the size it is rendered, the still scaled up
        shown = cv2.resize(still.rig.image, still.rig.shown_size, interpolation=cv2.INTER_CUBIC)
        check_identical(shown, still.image)


@pytest.mark.parametrize("motion", list(MOTIONS))
def test_the_same_inputs_give_the_same_frame(
    motion: str, engine: Engine, still: Still, frames: dict[str, np.ndarray]
) -> None:
    check_identical(engine.render(still.rig, [MOTIONS[motion]]), frames[motion])


def test_rendering_over_an_earlier_frame_gives_a_fresh_frame(
    engine: Engine, still: Still, frames: dict[str, np.ndarray]
) -> None:
    """`out`: any earlier frame of the rig is rendered over, leaving nothing of it."""
    names = list(MOTIONS)
    for earlier, now in zip(names, names[1:] + names[:1], strict=True):
        frame = frames[earlier].copy()
        check_identical(engine.render(still.rig, [MOTIONS[now]], out=frame), frames[now])


def test_a_neutral_motion_leaves_the_face_as_painted(
    still: Still, frames: dict[str, np.ndarray]
) -> None:
    check_close_to_still(frames["neutral"], still)


@pytest.mark.parametrize("motion", [m for m in MOTIONS if m != "neutral"])
def test_a_motion_moves_the_face(motion: str, still: Still, frames: dict[str, np.ndarray]) -> None:
    check_moved(frames[motion], still)


# -- the factory and the rules themselves ---------------------------------------------------


def test_an_unknown_engine_name_is_a_clear_error() -> None:
    unknown = EngineConfig.model_construct(name="no-such-engine")  # config validation bypassed
    with pytest.raises(ValueError, match=r"engine\.name.*'no-such-engine'.*geometric"):
        make_engine(unknown)


@pytest.fixture(scope="module")
def grace(content: Path) -> Iterator[tuple[Engine, Still, dict[str, np.ndarray]]]:
    """One engine and one still, for breaking frames on purpose."""
    engine = make_engine(EngineConfig())
    image = cv2.imread(str(content / "grace_hopper.jpg"))
    rig = engine.build_rig(image)
    still = Still(rig.image.copy(), rig, animated_area(rig))
    frames = {name: engine.render(rig, [motion]) for name, motion in MOTIONS.items()}
    yield engine, still, frames
    engine.close()


def test_each_rule_fails_on_a_frame_that_breaks_it(
    grace: tuple[Engine, Still, dict[str, np.ndarray]],
) -> None:
    _, still, frames = grace
    neutral, moved = frames["neutral"], frames["smile and turn"]
    with pytest.raises(AssertionError):
        check_like_the_still(neutral[:-1], still)  # a row short
    with pytest.raises(AssertionError):
        check_like_the_still(neutral.astype(np.float32), still)
    corner = neutral.copy()
    corner[0, 0] ^= 1  # one level, in a corner far from the face
    assert not still.animated[0, 0]
    with pytest.raises(AssertionError):
        check_background_untouched(corner, still)
    with pytest.raises(AssertionError):
        check_close_to_still(moved, still)
    with pytest.raises(AssertionError):
        check_close_to_still(frames["blink, open jaw, look aside"], still)
    with pytest.raises(AssertionError):
        check_moved(neutral, still)
    with pytest.raises(AssertionError):
        check_identical(neutral, corner)
