"""Measurement tools: they build the real kiosk and time it from outside, never change it.

- `bench.py`          `kiosk bench`: the run's phases in order, and its options
- `bench_phases.py`   the in-process phases: baseline, pipeline, background rig build, serial
                      replay, camera capture
- `bench_children.py` start-up and memory, each in a fresh kiosk process
                      (`python -m kiosk.measure.bench_children`)
- `bench_report.py`   targets, per-tick rows to stage figures, the headline and the table
- `soak.py`           `kiosk soak`: a long headless run watching memory, fds and threads
- `soak_events.py`    what the soak does to the kiosk: exhibit churn, the camera fault schedule
- `faulty_camera.py`  a fake webcam with switchable faults (the soak and the fault tests)
- `kiosk_folder.py`   the throwaway kiosk folder (config, exhibits, content) the tools run in
- `process_stats.py`  this process's memory, open files and threads
"""
