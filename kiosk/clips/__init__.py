"""Idle motion clips: the clip format, the built-in library, playlists."""
