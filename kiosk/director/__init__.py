"""director stage."""
