"""Pure types shared by every layer: no I/O, nothing beyond numpy."""
