"""TRL Cards: assembled from the registry and hand-written sections, frozen at every level change."""
