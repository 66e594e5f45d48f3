"""Settings from the environment and the store geometry schemas."""
