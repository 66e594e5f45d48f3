"""Computer vision: person detection and tracking on camera frames."""
