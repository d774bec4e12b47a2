"""The runtime: the kiosk's loop and the steps of one displayed frame.

- `wiring.py`   builds a kiosk from config and run options (`kiosk run`, bench, soak and tests
                all build it there, the same way)
- `loop.py`     the loop: start, tick, stop; sleep and wake; input as an action table
- `live.py`     the camera and the tracking worker: the newest visitor motion, visitor presence
- `tracking.py` the tracking worker thread (camera frame -> tracker -> motion)
- `scene.py`    the scene renderer: idle players, rigs, idle/live blend, frame reuse, cross-fade
- `panel.py`    what the overlays show: the label, the curator panel and the problem list
- `options.py`  run options and the run report
"""
