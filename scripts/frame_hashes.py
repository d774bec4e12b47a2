"""Hashes of every decoded frame of a video: a refactor must leave renders identical.

    python scripts/frame_hashes.py OUT.mp4 > hashes.txt
"""

import hashlib
import sys

import cv2


def main(path: str) -> int:
    video = cv2.VideoCapture(path)
    count = 0
    while True:
        ok, frame = video.read()
        if not ok:
            break
        print(f"{count:04d} {hashlib.sha256(frame.tobytes()).hexdigest()}")
        count += 1
    video.release()
    print(f"frames {count}", file=sys.stderr)
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
