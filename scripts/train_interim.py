"""Train the interim shipped model: `python scripts/train_interim.py DATA_DIR RUN_DIR MINUTES ARCH`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

from colorstudio.core.models import registry
from colorstudio.core.training.dataset import PhotoPairs, list_photos
from colorstudio.core.training.loop import train


def main() -> None:
    data, run_dir, minutes, arch = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    torch.manual_seed(0)
    config = {"pretrained": True} if arch == "unet-lite0" else {}
    model = registry.build(arch, **config)
    t0 = time.time()
    dataset = PhotoPairs(list_photos(data), size=224)
    print(f"{len(dataset)} photos decoded in {time.time() - t0:.0f}s", flush=True)

    def report(state):
        if state.step % 20 == 0:
            print(f"step {state.step} epoch {state.epoch} loss {state.last_loss:.5f} {state.seconds / 60:.1f} min",
                  flush=True)

    state = train(model, dataset, run_dir, minutes=minutes, batch=16, lr=5e-4 if arch == "unet-lite0" else 1e-3,
                  progress=report)
    torch.save(model.state_dict(), run_dir / "final_state.pt")
    print(f"done: {state}", flush=True)


if __name__ == "__main__":
    main()
