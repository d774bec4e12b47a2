"""Portrait Kiosk: paintings whose faces follow the visitor in front of them."""

import os

# OpenCV's thread pool, set before any kiosk module loads cv2 (it reads these once; the
# environment overrides them). The kiosk renders a frame, then idles until the next camera
# frame; a core that went idle is slow to wake, and with one worker per core the frame's big
# remap then ran as if on one core (median 3.1 ms in `kiosk bench` on 2 cores, against 1.3 ms
# back to back). Two spare workers let the remap use whichever core wakes first (median 2.2 ms),
# at the same CPU use once workers no longer spin after each job.
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", str((os.cpu_count() or 1) + 2))
os.environ.setdefault("OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER", "0")

# Quiet start-up: what the kiosk's own log says is what an operator needs. MediaPipe's native
# logging (TensorFlow Lite's "Created ... delegate", absl's W0000 lines), OpenCV's camera probing
# ("[ WARN:0@...] can't open camera by index" twice every retry while no camera is found: the
# kiosk logs that once, in words) and pygame's banner are switched off. Set them in the
# environment to see them again (e.g. OPENCV_LOG_LEVEL=INFO GLOG_minloglevel=0).
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
