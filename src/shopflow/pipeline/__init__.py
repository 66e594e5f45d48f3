"""The per-frame pipeline: where frames come from, which ones need the detector, and what flows on from there."""
