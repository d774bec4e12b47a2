"""`kiosk render`: drive an image with a video, frame for frame, to an MP4."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, face_args, find_exhibit


def add_parser(sub: argparse._SubParsersAction) -> None:
    render = sub.add_parser("render", help="drive an image with a video, to an MP4")
    what = render.add_mutually_exclusive_group(required=True)
    what.add_argument("--image", help="the painting to animate (an image file)")
    what.add_argument("--exhibit", metavar="ID", help="animate this exhibit's painting and face")
    render.add_argument(
        "--driver-video", required=True, help="the video whose face drives the painting"
    )
    render.add_argument("--out", required=True, help="the MP4 file to write")
    render.set_defaults(func=cmd_render)


def cmd_render(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.offline import render_video
    from kiosk.renderer.face_rig import NoFaceError

    face: tuple = ("largest", 0, None, None)  # choose, index, box, corrections
    if args.exhibit:
        exhibit = find_exhibit(args.config, args.exhibit)
        if exhibit is None:
            return EXIT_PROBLEMS
        image = exhibit.image
        face = face_args(exhibit)
    else:
        image = cv2.imread(args.image)
        if image is None:
            print(f"cannot read image {args.image}", file=sys.stderr)
            return EXIT_PROBLEMS
    if not Path(args.driver_video).is_file():
        print(f"driver video not found: {args.driver_video}", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        choose, index, box, corrections = face
        summary = render_video(
            image, Path(args.driver_video), Path(args.out), choose, index,
            box=box, corrections=corrections,
        )  # fmt: skip
    except NoFaceError as exc:
        print(f"{args.image or args.exhibit}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    w, h = summary.size
    print(
        f"wrote {args.out}: {summary.frames} frames, {w}x{h}, {summary.fps:g} fps"
        f" ({summary.frames_without_driver_face} driver frames without a face)"
    )
    return EXIT_OK
