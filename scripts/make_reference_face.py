"""Writes kiosk/motion/data/reference_face.npy: the neutral face driver clips are written for.

It averages the canonical (pose-free, IOD-unit) landmarks of the public-domain sample portraits
that ship inside matplotlib and scikit-image. Run once by a developer; the result is committed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import cv2
import matplotlib
import numpy as np

from kiosk.motion.geometry import face_frame
from kiosk.tracking.face_mesh import FaceMeshDetector


def main() -> None:
    images = [
        Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg",
        Path(str(resources.files("skimage") / "data" / "astronaut.png")),
    ]
    shapes = []
    with FaceMeshDetector(static_image=True, max_faces=1) as detector:
        for path in images:
            faces = detector.detect(cv2.imread(str(path)))
            if not faces:
                raise SystemExit(f"no face found in {path}")
            pts = faces[0].landmarks.astype(np.float64)
            shapes.append(face_frame(pts).to_canonical(pts))
    reference = np.mean(shapes, axis=0).astype(np.float32)
    out = Path(__file__).resolve().parents[1] / "kiosk" / "motion" / "data" / "reference_face.npy"
    np.save(out, reference)
    print(f"wrote {out} from {len(shapes)} faces")


if __name__ == "__main__":
    main()
