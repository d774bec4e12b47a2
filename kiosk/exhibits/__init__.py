"""Exhibits: curator-written YAML files and their images, validated and hot-reloaded.

schema (one file) -> images (safe decoding) -> library (all files, last-good) <- watcher (when).
"""

from kiosk.config import Problem
from kiosk.exhibits.library import ExhibitLibrary, LoadedExhibit, ReloadReport
from kiosk.exhibits.schema import Exhibit, ExhibitError, parse_exhibit_file
from kiosk.exhibits.watcher import ContentWatcher

__all__ = [
    "ContentWatcher",
    "Exhibit",
    "ExhibitError",
    "ExhibitLibrary",
    "LoadedExhibit",
    "Problem",
    "ReloadReport",
    "parse_exhibit_file",
]
