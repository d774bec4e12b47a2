"""The overlays drawn over the painting, one module per widget, and where their touch targets go.

`kiosk.display.overlay.OverlayRenderer` composes them; each widget draws from a shared `Style`
(screen scale, spacing, fonts and a bounded cache of rendered surfaces).
"""
