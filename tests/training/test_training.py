"""The training engine: photo scanning, splitting, losses, the loop, resume and the NaN guard."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorstudio.core import checkpoint
from colorstudio.core.errors import Cancelled, ColorStudioError
from colorstudio.core.models import ab_bins, registry
from colorstudio.core.training import losses
from colorstudio.core.training.batches import epoch_batches
from colorstudio.core.training.dataset import PhotoPairs
from colorstudio.core.training.hint_sampling import sample_hints
from colorstudio.core.training.loop import TrainConfig, Trainer
from colorstudio.core.training.photos import list_photos, scan, split


def make_photos(folder, n=10, size=96, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base = rng.integers(20, 230, (6, 6, 3)).astype(np.uint8)
        Image.fromarray(np.kron(base, np.ones((size // 6, size // 6, 1), np.uint8))).save(folder / f"p{i:02d}.png")
    return sorted(folder.glob("*.png"))


def test_scan_skips_gray_tiny_unreadable_and_duplicates_with_reasons(tmp_path):
    good = make_photos(tmp_path, n=3, size=132)
    Image.fromarray(np.full((150, 150), 90, np.uint8)).save(tmp_path / "gray.png")
    sepia = np.stack([np.full((150, 150), v, np.uint8) for v in (170, 140, 100)], -1)
    sepia = (sepia * np.linspace(0.5, 1, 150)[None, :, None]).astype(np.uint8)
    Image.fromarray(sepia).save(tmp_path / "sepia.png")
    Image.fromarray(np.zeros((40, 50, 3), np.uint8)).save(tmp_path / "tiny.png")
    (tmp_path / "broken.jpg").write_text("not a photo")
    Image.open(good[0]).save(tmp_path / "zcopy.jpg", quality=80)
    report = scan(list_photos(tmp_path))
    assert sorted(p.name for p in report.usable) == [p.name for p in good]
    reasons = {p.name: r for p, r in report.skipped}
    assert reasons["gray.png"].startswith("already grayscale")
    assert reasons["sepia.png"].startswith("already grayscale")
    assert reasons["tiny.png"].startswith("too small")
    assert reasons["broken.jpg"].startswith("unreadable")
    assert reasons["zcopy.jpg"].startswith("duplicate") and good[0].name in reasons["zcopy.jpg"]


def test_split_is_deterministic_about_ten_percent_and_stable_when_photos_are_added(tmp_path):
    paths = [tmp_path / f"photo{i}.jpg" for i in range(1000)]
    train, val = split(paths, 0.1, root=tmp_path)
    assert 70 <= len(val) <= 130 and len(train) + len(val) == 1000
    assert split(paths, 0.1, root=tmp_path) == (train, val)
    more = paths + [tmp_path / f"new{i}.jpg" for i in range(200)]
    _, val_more = split(more, 0.1, root=tmp_path)
    assert set(val) <= set(val_more)


def test_hint_sampling_marks_small_patches_with_the_true_colour():
    ab = torch.stack([torch.full((32, 32), 0.3), torch.full((32, 32), -0.2)])[None].repeat(200, 1, 1, 1)
    ab[:, :, :, 16:] *= -1  # two regions: a patch on the border takes the mean of both
    hints = sample_hints(ab, torch.Generator().manual_seed(3))
    masks = hints[:, 2].sum(dim=(1, 2))
    assert 50 < int((masks == 0).sum()) < 150  # often no hints at all: the model must work without
    inside = hints[:, 2] > 0
    inside[:, :, 12:20] = False  # away from the border: a 5 px patch there averages both regions
    left, right = inside.clone(), inside.clone()
    left[:, :, 16:], right[:, :, :16] = False, False
    torch.testing.assert_close(hints[:, 0][left], torch.full_like(hints[:, 0][left], 0.3))
    torch.testing.assert_close(hints[:, 1][right], torch.full_like(hints[:, 1][right], 0.2))
    assert int(masks.max()) <= 32 * 25  # at most 32 patches of at most 5 x 5
    assert float(masks[masks > 0].mean()) > 8  # several points where there are any
    again = sample_hints(ab, torch.Generator().manual_seed(3))
    assert torch.equal(hints, again)  # seeded: a resumed run draws the same hints


def test_losses_prefer_true_colours_and_rebalance_rare_bins():
    ab = torch.full((1, 2, 8, 8), 0.4)
    ab[:, 1] = -0.3
    muted = ab * 0.3
    for kind in ("mse", "colourful"):
        loss = losses.ColourLoss(kind)
        assert loss(ab, ab) < 1e-6 < loss(muted, ab)
    colourful, mse = losses.ColourLoss("colourful"), losses.ColourLoss("mse")
    # MSE punishes too little and too much colour alike; the colourful loss punishes too little more
    assert torch.isclose(mse(ab * 0.8, ab), mse(ab * 1.2, ab))
    assert colourful(ab * 0.8, ab) > 1.5 * colourful(ab * 1.2, ab)
    prior = losses.estimate_prior([torch.zeros(2, 2, 8, 8), ab])
    weights = losses.bin_weights(prior)
    assert torch.isclose((prior * weights).sum(), torch.tensor(1.0))
    gray_bin = ab_bins.encode_nearest(torch.zeros(1, 2, 1, 1)).item()
    rare_bin = ab_bins.encode_nearest(torch.tensor([[[[-0.8]], [[0.8]]]])).item()
    assert weights[rare_bin] > weights[gray_bin]
    logits = torch.zeros(1, ab_bins.num_bins(), 8, 8)
    logits[:, ab_bins.encode_nearest(ab)[0, 0, 0]] = 10.0
    cls = losses.ColourLoss("classification", prior)
    assert cls(logits, ab) < cls(torch.zeros_like(logits), ab)


def _trainer(tmp_path, photos, run="run", epochs=2, arch="seed-resnet18"):
    torch.manual_seed(0)
    model = registry.build(arch)
    train_paths, val_paths = photos[:8], photos[8:]
    config = TrainConfig(loss="mse", size=64, batch=2, lr=1e-3, epochs=epochs, warmup_steps=2, device="cpu")
    return Trainer(model, PhotoPairs(train_paths, size=64), PhotoPairs(val_paths, size=64, augment=False),
                   tmp_path / run, config, card={"title": "test"})


def test_training_runs_validates_checkpoints_and_exports_a_loadable_model(tmp_path):
    photos = make_photos(tmp_path / "photos")
    trainer = _trainer(tmp_path, photos)
    events = []
    best = trainer.run(on_event=events.append)
    kinds = [e.kind for e in events]
    assert kinds.count("step") == 8 and kinds.count("epoch") == 2 and kinds[-1] == "done"
    assert {"psnr", "ssim", "ciede2000", "colourfulness_ratio"} <= set(best)
    epoch_events = [e for e in events if e.kind == "epoch"]
    assert len(epoch_events[0].samples) == 2 and epoch_events[0].samples[0][1].shape == (64, 64, 3)
    assert (tmp_path / "run" / "state.safetensors").exists()
    assert (tmp_path / "run" / "samples_epoch002.png").exists()
    out = trainer.export(tmp_path / "models" / "mine.safetensors", "mine")
    model, card = checkpoint.load_model(out)
    assert card["training"]["steps"] == 8 and card["validation"] == best
    with torch.no_grad():
        trainer.ema.eval()
        x = torch.rand(1, 1, 64, 64)
        assert torch.allclose(model.predict_ab(x), trainer.ema.predict_ab(x), atol=1e-6)


@pytest.mark.parametrize("threads", [0, 2], ids=["batches-in-line", "batches-made-ahead"])
def test_resume_continues_exactly_where_the_run_stopped(tmp_path, monkeypatch, threads):
    # With threads, batches are made ahead as on a GPU; the run must be the same step for step.
    monkeypatch.setattr("colorstudio.core.training.loop.loader_threads", lambda device: threads)
    photos = make_photos(tmp_path / "photos")
    straight = _trainer(tmp_path, photos, run="a")
    straight.run()

    interrupted = _trainer(tmp_path, photos, run="b")
    steps = []

    def stop_after_five():
        return len(steps) >= 5

    with pytest.raises(Cancelled):
        interrupted.run(on_event=lambda e: steps.append(e.step) if e.kind == "step" else None,
                        should_cancel=stop_after_five)
    resumed = _trainer(tmp_path, photos, run="b")
    resumed.resume()
    assert resumed.progress.step == 5 and resumed.progress.epoch == 1 and resumed.progress.batches_done == 1
    resumed.run()
    assert resumed.progress.step == straight.progress.step == 8
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-6), name
    for a, b in zip(straight.ema.parameters(), resumed.ema.parameters()):
        assert torch.allclose(a, b, atol=1e-6)


def test_batches_made_ahead_on_threads_are_the_batches_made_in_line(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    data = PhotoPairs(make_photos(tmp_path / "photos", n=9), size=64)
    in_line = list(epoch_batches(data, 1, 2, 1, 5))
    with ThreadPoolExecutor(2) as pool:  # fewer threads than batches: some are made ahead while others wait
        ahead = list(epoch_batches(data, 1, 2, 1, 5, pool, ahead=2))
        stopped_early = epoch_batches(data, 2, 2, 0, 5, pool)
        next(stopped_early)
        stopped_early.close()  # what was made ahead is dropped; the pool stays usable
        again = list(epoch_batches(data, 1, 2, 1, 5, pool))
    assert len(in_line) == len(ahead) == len(again) == 3  # 9 photos: 4 batches of 2, the first skipped
    for a, b, c in zip(in_line, ahead, again):
        assert set(a) == {"l", "ab"}
        for key in a:
            assert torch.equal(a[key], b[key]) and torch.equal(a[key], c[key]), key
    assert not torch.equal(in_line[0]["l"], in_line[1]["l"])


def test_a_diverging_run_stops_with_a_clear_message(tmp_path, monkeypatch):
    photos = make_photos(tmp_path / "photos")
    trainer = _trainer(tmp_path, photos)
    monkeypatch.setattr(trainer, "loss", lambda output, target: output.sum() * float("nan"))
    with pytest.raises(ColorStudioError, match="diverged.*lower learning rate"):
        trainer.run()


def test_resume_refuses_a_run_of_another_model(tmp_path):
    photos = make_photos(tmp_path / "photos")
    _trainer(tmp_path, photos, epochs=1).run()
    other = _trainer(tmp_path, photos, arch="seed-cnn")
    with pytest.raises(ColorStudioError, match="another model"):
        other.resume()


def test_unet_trains_with_sampled_hints(tmp_path):
    photos = make_photos(tmp_path / "photos", n=6)
    torch.manual_seed(0)
    model = registry.build("unet-lite0", decoder_widths=[16, 16, 16, 16, 16], context_size=64)
    config = TrainConfig(loss="colourful", size=64, batch=2, lr=1e-3, epochs=1, device="cpu")
    trainer = Trainer(model, PhotoPairs(photos, size=64), None, tmp_path / "u", config)
    seen = []
    real_forward = model.hints.forward
    model.hints.forward = lambda hints: seen.append(hints.detach().clone()) or real_forward(hints)
    trainer.run()
    assert trainer.use_hints and trainer.progress.step == 3
    assert seen and any(float(h[:, 2].sum()) > 0 for h in seen)  # the hint branch got real hints


def test_a_few_steps_on_tiny_photos_lower_the_loss(tmp_path):
    photos = make_photos(tmp_path / "photos", n=4, size=64)
    torch.manual_seed(0)
    config = TrainConfig(loss="mse", size=64, batch=4, lr=1e-3, epochs=10, warmup_steps=1, device="cpu")
    data = PhotoPairs(photos, size=64, augment=False)  # the same batch every step: it must be learned
    trainer = Trainer(registry.build("seed-resnet18"), data, None, tmp_path / "r", config)
    losses_seen = []
    trainer.run(on_event=lambda e: losses_seen.append(e.loss) if e.kind == "step" else None)
    assert len(losses_seen) == 10
    first, last = np.mean(losses_seen[:3]), np.mean(losses_seen[-3:])
    assert last < 0.5 * first, losses_seen  # (seen: 0.24 -> 0.03)


def test_cancel_stops_within_one_step(tmp_path):
    photos = make_photos(tmp_path / "photos")
    trainer = _trainer(tmp_path, photos)
    steps, asked = [], []

    def should_cancel():
        asked.append(len(steps))
        return len(steps) >= 3

    with pytest.raises(Cancelled):
        trainer.run(on_event=lambda e: steps.append(e.step) if e.kind == "step" else None, should_cancel=should_cancel)
    assert steps == [1, 2, 3]  # not one step more after the cancel was asked for
    assert trainer.progress.step == 3 and (tmp_path / "run" / "state.safetensors").exists()


def test_a_fine_tuned_model_keeps_the_colour_response_of_its_base(tmp_path):
    photos = make_photos(tmp_path / "photos")
    base = registry.build("seed-resnet18")
    base.colour_gain, base.colour_contrast = 0.3, 0.8
    checkpoint.save_model(tmp_path / "base.safetensors", base, {"title": "base"})
    model, _ = checkpoint.load_model(tmp_path / "base.safetensors")
    config = TrainConfig(loss="mse", size=64, batch=2, lr=1e-3, epochs=1, warmup_steps=2, device="cpu")
    trainer = Trainer(model, PhotoPairs(photos[:8], size=64), None, tmp_path / "run", config, card={"title": "mine"})
    trainer.run()
    _, card = checkpoint.load_model(trainer.export(tmp_path / "mine.safetensors", "mine"))
    assert card["colour_gain"] == 0.3 and card["colour_contrast"] == 0.8


def test_old_print_training_shows_the_network_degraded_lightness_the_same_after_a_resume(tmp_path):
    photos = make_photos(tmp_path / "photos", n=4, size=64)
    data = PhotoPairs(photos, size=64, augment=False)

    def inputs_seen(degrade: bool) -> list[torch.Tensor]:
        torch.manual_seed(0)
        model = registry.build("seed-cnn")
        config = TrainConfig(loss="mse", size=64, batch=2, lr=1e-3, epochs=2, degrade=degrade, device="cpu")
        trainer = Trainer(model, data, None, tmp_path / f"d{degrade}", config)
        seen = []
        real_forward = model.forward
        model.forward = lambda l, *rest, **kw: seen.append(l.detach().clone()) or real_forward(l, *rest, **kw)
        trainer.run()
        return seen

    clean, degraded, again = inputs_seen(False), inputs_seen(True), inputs_seen(True)
    assert len(clean) == len(degraded) == 4
    assert sum(not torch.equal(c, d) for c, d in zip(clean, degraded)) >= 2  # most batches look old (15% stay clean)
    assert all(torch.equal(d, a) for d, a in zip(degraded, again))  # drawn by step: the same on every run


def test_a_run_in_channels_last_layout_exports_and_resumes_like_any_other(tmp_path):
    # on a GPU the loop keeps the model and its inputs channels-last; the saved model must not care
    photos = make_photos(tmp_path / "photos", n=4, size=64)
    torch.manual_seed(0)
    model = registry.build("unet-lite0", decoder_widths=[16, 16, 16, 16, 16], context_size=64)
    config = TrainConfig(loss="colourful", size=64, batch=2, lr=1e-3, epochs=1, device="cpu")
    trainer = Trainer(model, PhotoPairs(photos, size=64), None, tmp_path / "run", config)
    trainer.memory_format = torch.channels_last  # what a CUDA device selects
    trainer.model.to(memory_format=torch.channels_last)
    trainer.ema.to(memory_format=torch.channels_last)
    trainer.run()
    assert trainer.model.encoder.stem.weight.is_contiguous(memory_format=torch.channels_last)
    loaded, _ = checkpoint.load_model(trainer.export(tmp_path / "cl.safetensors", "cl"))
    l_in = torch.rand(1, 1, 64, 64)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.predict_ab(l_in), trainer.ema.predict_ab(l_in), atol=1e-5, rtol=0)
    again = Trainer(registry.build("unet-lite0", decoder_widths=[16, 16, 16, 16, 16], context_size=64),
                    PhotoPairs(photos, size=64), None, tmp_path / "run", config)
    again.resume()
    for a, b in zip(again.ema.state_dict().values(), trainer.ema.state_dict().values()):
        assert torch.equal(a, b.contiguous())
