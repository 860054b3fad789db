"""The names of the files in a training run's folder (``recipe.runs_dir() / name``): read and written by the
recipe, which plans, lists and closes runs, and by the training loop, which writes the checkpoint."""

STATE_FILE = "state.safetensors"  # the resumable checkpoint (Trainer.state_path)
RUN_FILE = "run.json"  # the run's plan (recipe.TrainingRun)
OLD_RUN_FILE = "wizard.json"  # the plan as the wizard wrote it before the command line saved its runs too
