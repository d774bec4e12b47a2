import threading
import time

from kiosk.config import LimitsConfig
from kiosk.exhibits.library import ExhibitLibrary
from kiosk.exhibits.watcher import ContentWatcher


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def wait_for_poll(watcher: ContentWatcher, deadline_s: float = 10.0) -> bool:
    """Poll until the watcher reports (the app does this every frame), with a deadline."""
    end = time.monotonic() + deadline_s
    tick = threading.Event()
    while time.monotonic() < end:
        if watcher.poll():
            return True
        tick.wait(0.01)
    return False


def test_debounce_turns_an_edit_storm_into_one_reload():
    clock = FakeClock()
    watcher = ContentWatcher([], debounce_s=0.25, max_delay_s=2.0, clock=clock)
    assert not watcher.poll()
    for _ in range(5):  # events every 0.1 s: never quiet for 0.25 s
        watcher.mark_changed()
        clock.now += 0.1
        assert not watcher.poll()
    clock.now += 0.2
    assert watcher.poll()
    assert not watcher.poll()  # reported once
    clock.now += 10
    assert not watcher.poll()


def test_a_storm_that_never_settles_still_reloads_after_max_delay():
    clock = FakeClock()
    watcher = ContentWatcher([], debounce_s=0.25, max_delay_s=1.0, clock=clock)
    fired = []
    for _ in range(30):  # an event every 0.125 s, forever
        watcher.mark_changed()
        clock.now += 0.125
        fired.append(watcher.poll())
    assert [i for i, f in enumerate(fired) if f] == [7, 15, 23]


def test_explicit_now_overrides_the_clock():
    watcher = ContentWatcher([], debounce_s=0.5)
    watcher.mark_changed(now=1.0)
    assert not watcher.poll(now=1.4)
    assert watcher.poll(now=1.5)


def test_real_observer_sees_a_new_exhibit(dirs, tmp_path):
    dirs.write_image("a.png")
    library = ExhibitLibrary(dirs.exhibits, dirs.content, LimitsConfig())
    library.reload()
    with ContentWatcher([dirs.exhibits, dirs.content, tmp_path / "missing"],
                        debounce_s=0.05) as watcher:
        assert not watcher.poll()
        dirs.write_exhibit("one.yaml", "id: one\ntitle: One\nimage: a.png\n")
        assert wait_for_poll(watcher)
        assert library.reload().added == ("one",)
        dirs.write_image("sub/b.png")  # recursive: a new image in a subfolder is seen
        assert wait_for_poll(watcher)
        library.reload()  # the library's own reads must not look like changes
        assert not wait_for_poll(watcher, deadline_s=0.5)


def test_close_stops_the_observer_thread(dirs):
    watcher = ContentWatcher([dirs.exhibits]).start()
    before = threading.active_count()
    watcher.close()
    watcher.close()  # idempotent
    assert threading.active_count() < before
