"""Tools for curators: contact sheets that show what the kiosk will do with each exhibit."""
