"""Quality evaluation of the animation engine (`kiosk eval`)."""
