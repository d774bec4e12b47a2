"""Portrait Kiosk: paintings whose faces follow the visitor in front of them."""

__version__ = "0.1.0"
