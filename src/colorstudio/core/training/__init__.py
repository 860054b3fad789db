"""Training colorization networks on folders of colour photos (no Qt; used by the CLI and the wizard)."""
