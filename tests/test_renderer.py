"""Geometric renderer on a real face photo: what moves, what stays put, and what a face detector
sees in the result."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.face_rig import NoFaceError, PaintingRig, choose_faces
from kiosk.renderer.retarget import target_landmarks
from kiosk.renderer.warp import MeshWarp, Region
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector

SAMPLE = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"

MOTIONS = {
    "yaw 15": Motion(yaw=float(np.radians(15))),
    "roll 10": Motion(roll=float(np.radians(10))),
    "jaw_open 1": motion_from_controls({"jaw_open": 1.0}),
    "smile 1": motion_from_controls({"smile": 1.0}),
    "blink 1": motion_from_controls({"blink": 1.0}),
}


@pytest.fixture(scope="module")
def engine() -> Iterator[GeometricEngine]:
    eng = GeometricEngine()
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def rig(engine: GeometricEngine) -> PaintingRig:
    image = cv2.imread(str(SAMPLE))
    assert image is not None, SAMPLE
    return engine.build_rig(image)


@pytest.fixture(scope="module")
def renders(engine: GeometricEngine, rig: PaintingRig) -> dict[str, np.ndarray]:
    out = {name: engine.render(rig, [motion]) for name, motion in MOTIONS.items()}
    out["neutral"] = engine.render(rig, [Motion()])
    return out


@pytest.fixture(scope="module")
def detected(renders: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Landmarks a fresh still-image detector finds on each render."""
    with FaceMeshDetector(static_image=True, max_faces=1) as detector:
        found = {name: detector.detect(image) for name, image in renders.items()}
    assert all(len(faces) == 1 for faces in found.values()), {k: len(v) for k, v in found.items()}
    return {name: faces[0].landmarks for name, faces in found.items()}


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)


def test_rig_has_one_face_with_a_region_inside_the_image(rig: PaintingRig) -> None:
    assert len(rig.faces) == 1 and len(rig.all_faces) == 1
    face = rig.faces[0]
    h, w = rig.image.shape[:2]
    r = face.region
    assert 0 <= r.x0 < r.x1 <= w and 0 <= r.y0 < r.y1 <= h
    assert face.region_mask(rig.image.shape).shape == (h, w)
    outside_box = np.ones((h, w), bool)
    outside_box[r.slices] = False
    assert not face.region_mask(rig.image.shape)[
        outside_box
    ].any()  # the mask stays inside the region box
    assert 0.05 < (face.region_mask(rig.image.shape) > 0).mean() < 0.95


def test_neutral_render_is_exactly_the_input_outside_the_region(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    out = renders["neutral"]
    assert out.shape == rig.image.shape and out.dtype == rig.image.dtype
    outside = rig.faces[0].region_mask(rig.image.shape) == 0
    assert np.array_equal(out[outside], rig.image[outside])


def _region_interior(rig: PaintingRig) -> np.ndarray:
    """The region mask without a band one grid cell wide along the region box's edges."""
    face = rig.faces[0]
    r, warp = face.region, face.warp
    band = int(np.ceil(max(r.width / warp.grid_w, r.height / warp.grid_h)))
    inner = np.zeros_like(face.region_mask(rig.image.shape), dtype=bool)
    inner[r.y0 + band : r.y1 - band, r.x0 + band : r.x1 - band] = True
    return inner & (face.region_mask(rig.image.shape) > 0)


def test_neutral_render_matches_input_away_from_region_edge(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    diff = abs_diff(renders["neutral"], rig.image)
    assert diff[_region_interior(rig)].max() <= 2


def test_neutral_render_matches_input_inside_the_whole_region(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    diff = abs_diff(renders["neutral"], rig.image)
    assert diff[rig.faces[0].region_mask(rig.image.shape) > 0].max() <= 2


@pytest.mark.parametrize("name", list(MOTIONS))
def test_motion_changes_only_pixels_inside_the_region(
    name: str, rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    out = renders[name]
    mask = rig.faces[0].region_mask(rig.image.shape)
    assert np.array_equal(out[mask == 0], rig.image[mask == 0])
    assert abs_diff(out, renders["neutral"])[mask > 0].max() > 40  # and something did move


def test_open_jaw_paints_a_dark_mouth_cavity(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    targets = target_landmarks(rig.faces[0], MOTIONS["jaw_open 1"])
    mouth = np.zeros(rig.image.shape[:2], np.uint8)
    cv2.fillPoly(mouth, [np.round(targets[lm.as_index(lm.LIPS_INNER), :2]).astype(np.int32)], 255)
    assert mouth.sum() > 255 * 100  # the opened mouth is a real area, not a slit

    def brightness(image: np.ndarray) -> float:
        return float(cv2.mean(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), mask=mouth)[0])

    assert brightness(renders["jaw_open 1"]) < 0.6 * brightness(renders["neutral"])


def test_open_jaw_is_seen_as_an_open_mouth(detected: dict[str, np.ndarray]) -> None:
    neutral = lm.mouth_open_ratio(detected["neutral"])
    opened = lm.mouth_open_ratio(detected["jaw_open 1"])
    assert neutral < 0.1
    assert opened > neutral + 0.2


def test_blink_is_seen_as_closing_eyes(detected: dict[str, np.ndarray]) -> None:
    right0, left0 = lm.eye_open_ratios(detected["neutral"])
    right1, left1 = lm.eye_open_ratios(detected["blink 1"])
    assert right1 < right0 - 0.02 and left1 < left0 - 0.02
    assert (right0 + left0) - (right1 + left1) > 0.1


def test_roll_tilts_the_detected_head(detected: dict[str, np.ndarray]) -> None:
    change = np.degrees(lm.head_roll(detected["roll 10"]) - lm.head_roll(detected["neutral"]))
    assert change == pytest.approx(10.0, abs=4.0)  # positive roll is clockwise on screen


@pytest.mark.parametrize("roll_deg", [0.0, 8.0])
def test_the_painted_eye_line_tilts_by_exactly_the_roll_whatever_the_turn(
    rig: PaintingRig, roll_deg: float
) -> None:
    """Turning a face that is itself tilted tilts its eye line in the image; the renderer makes
    up the difference, so the painting tilts as much as the visitor's eye line did."""
    face = rig.faces[0]
    neutral_tilt = lm.head_roll(face.landmarks)
    for yaw, pitch in ((0.0, 0.0), (18.0, 0.0), (-15.0, 10.0)):
        motion = Motion(
            yaw=float(np.radians(yaw)), pitch=float(np.radians(pitch)),
            roll=float(np.radians(roll_deg)),
        )  # fmt: skip
        tilt = lm.head_roll(target_landmarks(face, motion)) - neutral_tilt
        assert np.degrees(tilt) == pytest.approx(roll_deg, abs=1e-6), (yaw, pitch)


def test_smile_and_yaw_leave_the_mouth_closed(detected: dict[str, np.ndarray]) -> None:
    for name in ("smile 1", "yaw 15"):
        assert lm.mouth_open_ratio(detected[name]) < 0.1, name


def test_plain_image_has_no_face(engine: GeometricEngine) -> None:
    with pytest.raises(NoFaceError, match="no face found"):
        engine.build_rig(np.full((240, 320, 3), 128, np.uint8))


# -- MeshWarp -------------------------------------------------------------------------------


def _synthetic_warp() -> tuple[MeshWarp, np.ndarray]:
    rng = np.random.default_rng(5)
    region = Region(10, 20, 310, 220)
    corners = np.array([[10, 20], [309, 20], [10, 219], [309, 219]], float)
    inner = rng.uniform([40, 50], [280, 190], size=(40, 2))
    warp = MeshWarp(np.concatenate([corners, inner]), region, grid_long_side=64)
    image = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    image = cv2.GaussianBlur(image, (0, 0), 3)
    return warp, image


def test_mesh_warp_identity_inside_the_region() -> None:
    warp, image = _synthetic_warp()
    r = warp.region
    source = warp.source_map(warp.source)
    map_x, map_y = source[..., 0], source[..., 1]
    assert map_x.shape == (r.height, r.width)
    yy, xx = np.mgrid[r.y0 : r.y1, r.x0 : r.x1]
    band = int(np.ceil(r.width / warp.grid_w))
    inner = (slice(band, -band), slice(band, -band))
    assert np.abs(map_x - xx)[inner].max() < 1e-3
    assert np.abs(map_y - yy)[inner].max() < 1e-3
    out = warp.remap(image, source)
    assert abs_diff(out, image[r.slices])[inner].max() <= 1


def test_mesh_warp_identity_reaches_the_region_border() -> None:
    warp, _ = _synthetic_warp()
    r = warp.region
    source = warp.source_map(warp.source)
    map_x, map_y = source[..., 0], source[..., 1]
    yy, xx = np.mgrid[r.y0 : r.y1, r.x0 : r.x1]
    assert np.abs(map_x - xx).max() < 0.05
    assert np.abs(map_y - yy).max() < 0.05


def test_mesh_warp_moves_pixels_with_the_vertices() -> None:
    warp, image = _synthetic_warp()
    target = warp.source.copy()
    target[4:] += (3.0, 0.0)  # the inner vertices move 3 px right; the corners stay
    map_x = warp.source_map(target)[..., 0]
    x = warp.region.x0 + 150  # image column of map column 150
    # Deep inside the moved hull, each output pixel samples 3 px to its left.
    assert map_x[100, 150] == pytest.approx(x - 3.0, abs=0.05)


def _inverse_map_by_brute_force(warp: MeshWarp, target: np.ndarray) -> np.ndarray:
    """Every grid cell tested against every moved triangle, later triangles winning."""
    cells = warp.grid.reshape(-1, 2).astype(np.float64)
    out = cells.copy()
    for tri in warp.triangulation.simplices:
        a, b, c = target[tri]
        e1, e2 = b - a, c - a
        det = e1[0] * e2[1] - e1[1] * e2[0]
        if abs(det) < 1e-12:
            continue
        d = cells - a
        b1 = (d[:, 0] * e2[1] - d[:, 1] * e2[0]) / det
        b2 = (d[:, 1] * e1[0] - d[:, 0] * e1[1]) / det
        inside = (b1 >= -1e-9) & (b2 >= -1e-9) & (b1 + b2 <= 1 + 1e-9)
        src = warp.source[tri].astype(np.float64)
        out[inside] = src[0] + np.outer(b1[inside], src[1] - src[0])
        out[inside] += np.outer(b2[inside], src[2] - src[0])
    return out.reshape(warp.grid.shape)


@pytest.mark.parametrize("sliver", [False, True])
def test_mesh_warp_rasteriser_matches_brute_force(sliver: bool) -> None:
    """The scanline rasteriser gives every grid cell the same source point as testing each
    cell against each moved triangle, also with a nearly flat (sliver) triangle."""
    warp, _ = _synthetic_warp()
    rng = np.random.default_rng(11)
    target = warp.source.astype(np.float64).copy()
    target[4:] += rng.normal(0.0, 2.0, (len(target) - 4, 2))
    if sliver:  # squash one inner vertex onto the line between two neighbours
        tri = next(t for t in warp.triangulation.simplices if min(t) >= 4)
        a, b = target[tri[1]], target[tri[2]]
        target[tri[0]] = a + 0.5 * (b - a) + np.array([0.0, 1e-7])
    coarse = warp._coarse_map(target)  # the grid before upsampling
    assert coarse == pytest.approx(_inverse_map_by_brute_force(warp, target), abs=1e-3)


def test_mesh_warp_nearly_flat_edge_stays_in_its_triangle() -> None:
    """A moved triangle whose lower edge is almost level and just short of a grid row must not
    spill its (extrapolated) map across that row."""
    # Step 1 px: grid coordinate g is pixel g - 1.
    corners = np.array([[0, 0], [63, 0], [0, 63], [63, 63]], float)
    target_inner = np.array([[10.3, 5.2], [30.0, 19.99994], [12.0, 19.99995]]) - 1.0
    source_inner = target_inner + np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 4.0]])
    warp = MeshWarp(np.concatenate([corners, source_inner]), Region(0, 0, 64, 64), 64)
    assert any(set(t) == {4, 5, 6} for t in warp.triangulation.simplices)
    target = np.concatenate([corners, target_inner])
    coarse = warp._coarse_map(target)
    assert coarse == pytest.approx(_inverse_map_by_brute_force(warp, target), abs=1e-2)


# -- choosing faces -------------------------------------------------------------------------


def fake_face(x0: float, y0: float, size: float) -> DetectedFace:
    return DetectedFace(np.zeros((478, 3), np.float32), (x0, y0, x0 + size, y0 + size))


FACES = [fake_face(300, 0, 50), fake_face(10, 50, 80), fake_face(150, 20, 120)]


def picked(faces: list[DetectedFace], choose: str, index: int = 0) -> list[int]:
    """Positions in FACES of the faces chosen (by identity: the fakes share landmark values)."""
    return [
        next(i for i, f in enumerate(FACES) if f is face)
        for face in choose_faces(faces, choose, index)
    ]


def test_choose_largest_by_default() -> None:
    assert picked(FACES, "largest") == [2]
    assert picked(FACES, "something else") == [2]


def test_choose_left_and_right_by_centre() -> None:
    assert picked(FACES, "left") == [1]
    assert picked(FACES, "right") == [0]


def test_choose_index_counts_from_the_left_and_clamps() -> None:
    assert [picked(FACES, "index", i) for i in (0, 1, 2, 9)] == [[1], [2], [0], [0]]


def test_choose_all_and_none() -> None:
    assert picked(FACES, "all") == [0, 1, 2]
    assert choose_faces([], "largest", 0) == []
    assert choose_faces([], "all", 0) == []


def _two_face_image() -> np.ndarray:
    """Two sample portraits side by side: a painting with two sitters."""
    from kiosk.exhibits.samples import ensure_sample_content

    content = Path(__file__).resolve().parents[1] / "content"
    ensure_sample_content(content)
    left = cv2.imread(str(content / "samples" / "grace_hopper.jpg"))
    right = cv2.imread(str(content / "samples" / "astronaut.png"))
    right = cv2.resize(right, (int(right.shape[1] * left.shape[0] / right.shape[0]), left.shape[0]))
    return np.hstack([left, right])


@pytest.mark.parametrize(("choose", "animated"), [("left", {"left"}), ("right", {"right"}),
                                                  ("all", {"left", "right"})])  # fmt: skip
def test_two_face_painting_animates_the_chosen_face(choose: str, animated: set[str]) -> None:
    image = _two_face_image()
    split = cv2.imread(str(Path(__file__).resolve().parents[1] / "content" / "samples" /
                           "grace_hopper.jpg")).shape[1]  # fmt: skip
    engine = GeometricEngine()
    try:
        rig = engine.build_rig(image, choose)
        out = engine.render(rig, [motion_from_controls({"jaw_open": 1.0, "yaw": 10.0})])
    finally:
        engine.close()
    assert len(rig.all_faces) == 2
    changed = np.abs(out.astype(int) - image.astype(int)).sum(axis=2) > 0
    halves = {"left": changed[:, :split].any(), "right": changed[:, split:].any()}
    assert {side for side, moved in halves.items() if moved} == animated


def test_lips_and_lids_never_pass_through_each_other(rig: PaintingRig) -> None:
    """A performer closing more than their neutral allowed: the painting stops at closed."""
    from kiosk.motion.controls import control_basis

    jaw, blink = control_basis()["jaw_open"], control_basis()["blink"]
    over_closed = Motion(offsets=(-1.5 * jaw + 2.0 * blink).astype(np.float32))
    targets = target_landmarks(rig.faces[0], over_closed)
    neutral = rig.faces[0].landmarks
    for upper, lower in ((lm.LIPS_INNER_UPPER[5], lm.LIPS_INNER_LOWER[4]), (159, 145), (386, 374)):
        rest_gap = neutral[lower, 1] - neutral[upper, 1]
        assert targets[lower, 1] - targets[upper, 1] >= min(rest_gap, 0.0) - 0.5


def _fine_texture(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean strength of detail finer than a few pixels inside `mask`."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 2.0))[mask > 0].mean())


def test_closed_lids_keep_the_paintings_texture(engine: GeometricEngine, rig: PaintingRig) -> None:
    """A closed lid is skin with the painting's grain, not a flat patch of colour: its fine
    texture is of the order of the skin around it, and well above a lid without it."""
    face = rig.faces[0]
    flat_face = dataclasses.replace(
        face, eyes=tuple(dataclasses.replace(e, lid_detail=None) for e in face.eyes)
    )
    flat_rig = dataclasses.replace(rig, faces=(flat_face,))
    closed = MOTIONS["blink 1"]
    textured, flat = engine.render(rig, [closed]), engine.render(flat_rig, [closed])
    targets = target_landmarks(face, closed)
    lids = np.zeros(rig.image.shape[:2], np.uint8)
    skin = np.zeros_like(lids)
    for eye in face.eyes:
        opening = face.landmarks[eye.contour, :2]  # where the open eye was painted
        cv2.fillPoly(lids, [np.round(opening).astype(np.int32)], 255)
        below = targets[eye.contour, :2] + (0.0, 0.6 * np.ptp(opening[:, 1]) + 4.0)
        cv2.fillPoly(skin, [np.round(below).astype(np.int32)], 255)
    lids = cv2.erode(lids, np.ones((5, 5), np.uint8))  # away from the lash line
    around = _fine_texture(rig.image, skin)
    assert _fine_texture(textured, lids) > 0.5 * around
    assert _fine_texture(textured, lids) > 1.5 * _fine_texture(flat, lids)


def test_rendering_over_an_earlier_frame_equals_a_fresh_render(
    engine: GeometricEngine, rig: PaintingRig
) -> None:
    """The kiosk renders each frame over the last one instead of a fresh copy of the painting:
    whatever the last frame showed (open mouth, closed eyes, a turn), nothing of it survives."""
    frame = rig.image.copy()
    for earlier in ("jaw_open 1", "blink 1", "yaw 15", "roll 10"):
        engine.render(rig, [MOTIONS[earlier]], out=frame)
        for now in ("smile 1", "neutral"):
            motion = MOTIONS.get(now, Motion())
            over = engine.render(rig, [motion], out=frame.copy())
            assert np.array_equal(over, engine.render(rig, [motion])), (earlier, now)


def test_lids_of_an_eye_squeezed_to_a_point_are_drawn_without_texture(rig: PaintingRig) -> None:
    """Eye corners that meet leave no room to place the lid's texture: the lid is drawn plain
    (as it would be without texture), not tinted by one stretched texture pixel."""
    from kiosk.renderer.lids import draw_lids

    face = rig.faces[0]
    targets = target_landmarks(face, MOTIONS["blink 1"]).copy()
    for eye in face.eyes:
        outer, inner = eye.corners
        targets[inner] = targets[outer]
    textured, plain = rig.image.copy(), rig.image.copy()
    for eye in face.eyes:
        draw_lids(textured, eye, face.landmarks, targets, (0, 0), face.palette.skin)
        flat = dataclasses.replace(eye, lid_detail=None)
        draw_lids(plain, flat, face.landmarks, targets, (0, 0), face.palette.skin)
    assert np.array_equal(textured, plain)


def test_a_tilted_or_nodding_head_alone_draws_no_lid(rig: PaintingRig) -> None:
    """How far an eye closed is measured without the head's movement: a tilt or a nod with the
    eyes open draws no lid (measured in the image, a 15 degree tilt drew one a ninth closed);
    a blink still does, tilted or not."""
    from kiosk.renderer.lids import draw_lids
    from kiosk.renderer.retarget import expressed_landmarks

    face = rig.faces[0]
    for controls, lids in (
        ({"roll": 15.0}, False),
        ({"roll": -15.0}, False),
        ({"pitch": -12.0}, False),
        ({"blink": 1.0, "roll": 15.0}, True),
    ):
        motion = motion_from_controls(controls)
        targets = target_landmarks(face, motion)
        expressed = expressed_landmarks(face, motion)
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, expressed)
        assert (not np.array_equal(out, rig.image)) == lids, controls


def test_a_half_closed_eye_is_lid_over_an_open_eye_not_a_veil(rig: PaintingRig) -> None:
    """A closing lid covers the eye from the crease down to its moving margin; the part of the
    eye still open below the margin is left as it was (it used to be veiled, the iris showing
    through a half-transparent lid)."""
    from kiosk.renderer.lids import draw_lids, eye_closure
    from kiosk.renderer.retarget import expressed_landmarks

    face = rig.faces[0]
    motion = motion_from_controls({"blink": 0.5})
    targets = target_landmarks(face, motion)
    expressed = expressed_landmarks(face, motion)
    frame = rig.image.copy()
    out = frame.copy()
    still_open = np.zeros(frame.shape[:2], np.uint8)
    lid = np.zeros_like(still_open)
    for eye in face.eyes:
        assert 0.3 < eye_closure(eye, face.landmarks, expressed) < 0.7
        draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, expressed)
        opening = np.concatenate([targets[eye.upper, :2], targets[eye.lower[::-1], :2]])
        cv2.fillPoly(still_open, [np.round(opening).astype(np.int32)], 255)
        crease = np.concatenate([targets[eye.ring, :2], targets[eye.upper[::-1], :2]])
        cv2.fillPoly(lid, [np.round(crease).astype(np.int32)], 255)
    # Two pixels in from the margin, where only the soft tail of the lash line may reach.
    still_open = cv2.erode(still_open, np.ones((5, 5), np.uint8))
    lid = cv2.erode(lid, np.ones((5, 5), np.uint8))
    assert still_open.any() and lid.any()
    assert abs_diff(out, frame)[still_open > 0].max() <= 4
    assert abs_diff(out, frame)[lid > 0].mean() > 2.0


def test_a_closing_eye_is_redrawn_so_its_lid_hides_the_iris_rather_than_squeezing_it(
    rig: PaintingRig,
) -> None:
    """With the iris where the warp carries it, an open eye needs no redraw; a closing one is
    redrawn (its iris whole, cut by the lowered lid) instead of left squeezed by the warp."""
    from kiosk.renderer.gaze import draw_gaze
    from kiosk.renderer.retarget import target_mesh

    face = rig.faces[0]
    mesh, targets, _ = target_mesh(face, motion_from_controls({"blink": 0.5}))
    targets = targets.copy()
    for eye in face.eyes:
        targets[eye.iris_centre, :2] = eye.carry_weights @ targets[eye.contour, :2]
    source_map = face.warp.source_map(mesh)
    warped = face.warp.remap(rig.image, source_map)
    origin = (face.region.x0, face.region.y0)
    for closure, redrawn in ((0.0, False), (0.5, True)):
        out = warped.copy()
        for eye in face.eyes:
            draw_gaze(out, source_map, eye, targets, origin, closure)
        assert (not np.array_equal(out, warped)) == redrawn, closure


def test_the_lid_fades_in_without_a_step(rig: PaintingRig) -> None:
    """The closure at which the lid starts being drawn changes no pixel by more than a few
    levels, so tracking noise around it cannot make the lid flicker."""
    from kiosk.renderer.lids import LID_COVER, LID_FULL_AT, MIN_LID_COVER, draw_lids

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 0.5}))
    first = MIN_LID_COVER / LID_COVER * LID_FULL_AT
    for closure, most in ((0.99 * first, 0), (1.01 * first, 6)):
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, closure)
        change = abs_diff(out, rig.image).max()
        assert change <= most and (most == 0 or change > 0), (closure, change)


def test_an_all_but_shut_eye_closes_completely(rig: PaintingRig) -> None:
    """A painting's lids may not quite meet at a visitor's full blink: from nearly shut the
    sliver still open between them is covered by the lid too; half closed, it is not."""
    from kiosk.renderer.lids import draw_lids

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 0.6}))
    sliver = np.zeros(rig.image.shape[:2], np.uint8)
    for eye in face.eyes:
        opening = np.concatenate([targets[eye.upper, :2], targets[eye.lower[::-1], :2]])
        cv2.fillPoly(sliver, [np.round(opening).astype(np.int32)], 255)
    sliver = cv2.erode(sliver, np.ones((5, 5), np.uint8))
    assert sliver.any()
    changed = {}
    for closure in (0.5, 1.0):
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, closure)
        changed[closure] = float(abs_diff(out, rig.image)[sliver > 0].mean())
    assert changed[0.5] < 1.0 and changed[1.0] > 10.0, changed


def test_the_lash_line_of_a_shut_lid_reaches_both_corners_of_the_eye(rig: PaintingRig) -> None:
    """The lashes of a closed lid run from corner to corner: at both eye corners the shut lid
    is drawn dark with lashes, not in the lid's skin tone."""
    from kiosk.renderer.lids import draw_lids

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 1.0}))
    out = rig.image.copy()
    for eye in face.eyes:
        draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, 1.0)
    grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY).astype(float)
    for eye in face.eyes:
        assert eye.near_skin is not None
        lid_grey = float(eye.near_skin @ np.array([0.114, 0.587, 0.299]))
        for corner in eye.corners:
            x, y = np.round(targets[corner, :2]).astype(int)
            assert grey[y, x] < 0.8 * lid_grey, (corner, grey[y, x], lid_grey)
