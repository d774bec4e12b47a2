"""`kiosk speak`: the painting saying its label, to an MP4 with sound and the phonemes' JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, config_path, find_exhibit


def add_parser(sub: argparse._SubParsersAction) -> None:
    speak = sub.add_parser(
        "speak", help="the painting says its label: an MP4 with sound (+ OUT.json phonemes)"
    )
    speak.add_argument("--exhibit", required=True, help="the exhibit's id")
    speak.add_argument("--lang", help="language code (default: config's speech.default)")
    speak.add_argument("--out", required=True, help="OUT.mp4; OUT.json is written beside it")
    speak.add_argument(
        "--measure", action="store_true",
        help="also measure the lip sync on the written MP4 with MediaPipe (into OUT.json)",
    )  # fmt: skip
    speak.set_defaults(func=cmd_speak)


def cmd_speak(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.curator.speaking_preview import write_speaking_preview
    from kiosk.renderer.face_rig import NoFaceError
    from kiosk.speech.voices import VoiceError

    config = load_config(config_path(args.config))
    language = args.lang or config.speech.default
    if language not in config.speech.languages:
        print(
            f"language '{language}' is not offered: config.yaml speech.languages is "
            f"{list(config.speech.languages)}; add it there or choose one of them",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    exhibit = find_exhibit(args.config, args.exhibit)
    if exhibit is None:
        return EXIT_PROBLEMS
    out = Path(args.out)
    try:
        summary = write_speaking_preview(exhibit, language, config, out)
    except (VoiceError, NoFaceError) as exc:
        print(f"{args.exhibit} ({language}): {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    w, h = summary.size
    synth = f"synthesised in {summary.synthesis_s:.2f} s" if summary.synthesis_s else "cached"
    print(
        f"wrote {out} ({summary.frames} frames, {w}x{h}, {summary.speech_s:.2f} s of speech, "
        f"{synth}) and {out.with_suffix('.json')} ({summary.phonemes} phonemes)"
    )
    if args.measure:
        from kiosk.evaluation.lipsync import measure_lip_sync, write_into

        result = measure_lip_sync(out, out.with_suffix(".json"))
        write_into(out.with_suffix(".json"), result)
        print(result.summary())
        return EXIT_OK if result.passed else EXIT_PROBLEMS
    return EXIT_OK
