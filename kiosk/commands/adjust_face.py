"""`kiosk adjust-face`: correct a painting's detected face, saved next to its exhibit file.

The only writer of `exhibits/<name>.face.yaml`. Moves add to the ones already saved; every
replaced or removed file is kept as a timestamped backup, so nothing a curator wrote is lost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, find_exhibit

PREVIEW_HEIGHT = 900  # the face is cropped and scaled to this height, so small moves show
GREY = (210, 210, 210)
GREEN = (60, 220, 60)


def _group(text: str) -> str:
    from kiosk.exhibits.corrections import GROUPS

    if text not in GROUPS:
        raise argparse.ArgumentTypeError(f"unknown group '{text}' (groups: {', '.join(GROUPS)})")
    return text


def _move_arg(text: str) -> tuple[str, float, float]:
    group, _, values = text.partition("=")
    try:
        dx, dy = (float(v) for v in values.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            "write GROUP=DX,DY with DX, DY fractions of the image's width and height, "
            f"e.g. mouth=0,0.004 (got {text!r})"
        ) from None
    return _group(group.strip()), dx, dy


def _scale_arg(text: str) -> tuple[str, float]:
    group, _, value = text.partition("=")
    try:
        factor = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "write GROUP=S with S a factor about the group's centre, "
            f"e.g. mouth=1.05 (got {text!r})"
        ) from None
    return _group(group.strip()), factor


def add_parser(sub: argparse._SubParsersAction) -> None:
    adjust = sub.add_parser(
        "adjust-face",
        help="correct a painting's detected face (saved as exhibits/<name>.face.yaml)",
        description="Move or scale named parts of the detected face of one exhibit. Moves are "
        "fractions of the image's width and height (+ = right, down) and add to the saved ones; "
        "scales multiply. "
        "Without --move, --scale or --reset it shows the saved corrections.",
    )
    adjust.add_argument(
        "--exhibit", required=True, metavar="ID", help="the id of the exhibit whose face to correct"
    )
    adjust.add_argument(
        "--move",
        action="append",
        default=[],
        type=_move_arg,
        metavar="GROUP=DX,DY",
        help="move a part of the face (e.g. mouth=0,0.01: a hundredth of the height down); "
        "repeat for several parts",
    )
    adjust.add_argument(
        "--scale",
        action="append",
        default=[],
        type=_scale_arg,
        metavar="GROUP=S",
        help="scale a part of the face about its centre (e.g. left_eye=1.1); repeatable",
    )
    adjust.add_argument(
        "--reset",
        action="store_true",
        help="start from the detected face: the saved file is backed up, then removed "
        "(or replaced by this run's --move/--scale)",
    )
    adjust.add_argument("--preview", metavar="OUT.png", help="write a close-up of the face")
    adjust.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be saved; leave exhibits/ untouched (--preview is still written)",
    )
    adjust.set_defaults(func=cmd_adjust_face)


def cmd_adjust_face(args: argparse.Namespace) -> int:
    from kiosk.config import ContentError, display_path
    from kiosk.exhibits.corrections import (
        CorrectionsError,
        load_corrections,
        sidecar_path,
    )

    exhibit = _load_exhibit(args)
    if exhibit is None:
        return EXIT_PROBLEMS
    sidecar = sidecar_path(exhibit.source_file)
    shown = display_path(sidecar)
    try:
        saved = load_corrections(exhibit.source_file, exhibit.image_digest)
    except CorrectionsError as exc:
        if not args.reset:
            _print_problems(exc)
            print(
                f"nothing changed: fix {shown}, or start again from the detected face with "
                "--reset (the file is kept as a backup)",
                file=sys.stderr,
            )
            return EXIT_PROBLEMS
        saved = None
    try:
        wanted = _combine(None if args.reset else saved, args, exhibit.image_digest, shown)
    except ContentError as exc:
        _print_problems(exc)
        print("nothing changed", file=sys.stderr)
        return EXIT_PROBLEMS
    _describe(exhibit, wanted)
    if args.preview:
        detected = _detect(exhibit)  # only the preview needs it: --reset works without a face
        if detected is None:
            return EXIT_PROBLEMS
        _write_preview(Path(args.preview), exhibit.image, detected, wanted)
    changing = args.reset or args.move or args.scale
    if not changing:
        print(f"nothing changed ({shown} {'exists' if sidecar.exists() else 'does not exist'})")
        return EXIT_OK
    return _save(args, exhibit.id, sidecar, wanted)


def _load_exhibit(args: argparse.Namespace):
    from kiosk.config import ConfigError

    try:
        return find_exhibit(args.config, args.exhibit)
    except ConfigError as exc:
        _print_problems(exc)
        return None


def _combine(saved, args: argparse.Namespace, image_digest: str, shown: str):
    """The saved corrections plus this run's: moves add up, scales multiply. Validated."""
    from pydantic import ValidationError

    from kiosk.config import validation_problems
    from kiosk.exhibits.corrections import Corrections, CorrectionsError

    moves = dict(saved.group_moves()) if saved else {}
    scales = dict(saved.group_scales()) if saved else {}
    for group, dx, dy in args.move:
        old = moves.get(group, (0.0, 0.0))
        moves[group] = (old[0] + dx, old[1] + dy)
    for group, factor in args.scale:
        scales[group] = scales.get(group, 1.0) * factor
    raw = {"image_sha256": image_digest, "moves": moves, "scale": scales}
    try:
        return Corrections.model_validate(raw)
    except ValidationError as exc:
        name = f"{shown} (after this --move/--scale)"
        raise CorrectionsError(name, problems=validation_problems(exc, Corrections, name)) from exc


def _detect(exhibit) -> np.ndarray | None:
    """The detected landmarks of the face the exhibit animates (as the kiosk corrects it)."""
    from kiosk.config import EngineConfig, display_path
    from kiosk.renderer.engine import make_engine
    from kiosk.renderer.face_rig import NoFaceError, choose_faces

    face = exhibit.spec.face
    engine = make_engine(EngineConfig())  # detection only: any engine config builds the same
    try:
        rig = engine.build_rig(exhibit.image, face.choose, face.index, face.box)
    except NoFaceError as exc:
        print(f"{display_path(exhibit.source_file)}: image: {exc}", file=sys.stderr)
        return None
    finally:
        engine.close()
    choose = "largest" if face.choose == "all" else face.choose
    return choose_faces(list(rig.all_faces), choose, face.index)[0].landmarks


def _describe(exhibit, corrections) -> None:
    h, w = exhibit.image.shape[:2]
    moves, scales = corrections.group_moves(), corrections.group_scales()
    if not moves and not scales:
        print(f"{exhibit.id}: no corrections; the kiosk uses the detected face")
        return
    print(f"{exhibit.id}: corrections of the detected face ({w}x{h} image)")
    for group, (dx, dy) in moves.items():
        print(
            f"  {group:<13} move {dx:+.4f}, {dy:+.4f} of the image"
            f" = {dx * w:+.1f}, {dy * h:+.1f} px"
        )
    for group, factor in scales.items():
        print(f"  {group:<13} scale x{factor:g} about its centre")


def _save(args: argparse.Namespace, exhibit_id: str, sidecar: Path, wanted) -> int:
    from kiosk.config import display_path
    from kiosk.exhibits.corrections import (
        corrections_yaml,
        remove_corrections,
        write_corrections,
    )

    shown = display_path(sidecar)
    remove = wanted.is_empty
    if args.dry_run:
        if remove:
            print(f"dry run: would remove {shown} (after a backup); nothing written")
        else:
            text = corrections_yaml(wanted, exhibit_id)
            print(
                f"dry run: would write {shown}:\n"
                + "".join(f"  {line}\n" for line in text.splitlines())
            )
            print("nothing written")
        return EXIT_OK
    if remove:
        backup = remove_corrections(sidecar)
        if backup is None:
            print(f"nothing to remove: {shown} does not exist")
            return EXIT_OK
        print(f"removed {shown}; the kiosk uses the detected face again")
    else:
        backup = write_corrections(sidecar, wanted, overwrite=True, exhibit_id=exhibit_id)
        print(
            f"wrote {shown}"
            + (f" (the previous version is kept as {display_path(backup)})" if backup else "")
        )
    print("undo:")
    if backup is not None:
        print(f"  mv {display_path(backup)} {shown}    # back to the previous version")
    if not remove:
        print(f"  kiosk adjust-face --exhibit {exhibit_id} --reset    # back to the detected face")
    return EXIT_OK


def _write_preview(path: Path, image: np.ndarray, detected: np.ndarray, corrections) -> None:
    import cv2

    from kiosk.config import display_path

    preview = face_preview(image, detected, corrections)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), preview):
        print(f"could not write the preview {display_path(path)}", file=sys.stderr)
        return
    print(f"wrote preview {display_path(path)} (grey: detected, green: corrected)")


def face_preview(image: np.ndarray, detected: np.ndarray, corrections) -> np.ndarray:
    """A close-up of the face: detected points grey, corrected ones (changed groups) green."""
    import cv2

    from kiosk.exhibits.corrections import GROUPS
    from kiosk.renderer.face_rig import apply_corrections
    from kiosk.tracking import landmarks as lm

    h, w = image.shape[:2]
    corrected = apply_corrections(detected, (w, h), corrections)
    changed = [*corrections.group_moves(), *corrections.group_scales()]
    changed = [g for g in GROUPS if g in changed]
    # Crop around the face (detected and corrected), with a margin, and scale to a fixed height.
    xy = np.vstack([detected[:, :2], corrected[:, :2]])
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    margin = 0.3 * max(x1 - x0, y1 - y0)
    x0, y0 = int(max(0, x0 - margin)), int(max(0, y0 - margin))
    x1, y1 = int(min(w, x1 + margin)), int(min(h, y1 + margin))
    zoom = PREVIEW_HEIGHT / max(1, y1 - y0)
    out = cv2.resize(image[y0:y1, x0:x1], None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)

    def px(points: np.ndarray) -> np.ndarray:
        return np.round((points[:, :2] - (x0, y0)) * zoom * 16).astype(np.int32)  # 4-bit shift

    oval = lm.as_index(lm.FACE_OVAL)
    cv2.polylines(out, [px(detected[oval])], True, GREY, 1, cv2.LINE_AA, shift=4)
    for points in GROUPS.values():
        for p in px(detected[lm.as_index(points)]):
            cv2.circle(out, tuple(p), 2 * 16, GREY, -1, cv2.LINE_AA, shift=4)
    if "face_outline" in changed or "chin" in changed:
        cv2.polylines(out, [px(corrected[oval])], True, GREEN, 2, cv2.LINE_AA, shift=4)
    for group in changed:
        idx = lm.as_index(GROUPS[group])
        for a, b in zip(px(detected[idx]), px(corrected[idx]), strict=True):
            cv2.line(out, tuple(a), tuple(b), GREEN, 1, cv2.LINE_AA, shift=4)
            cv2.circle(out, tuple(b), 3 * 16, GREEN, -1, cv2.LINE_AA, shift=4)
    caption = "grey: detected   green: corrected" + (f" ({', '.join(changed)})" if changed else "")
    cv2.rectangle(out, (0, 0), (out.shape[1], 28), (0, 0, 0), -1)
    cv2.putText(
        out, caption, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA
    )
    return out


def _print_problems(exc) -> None:
    for problem in exc.problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
