"""The training wizard: teach the model the colours of a person's own photos (Tools > Train on my photos)."""
