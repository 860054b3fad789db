"""A folder of colour photos as the reference (``core.reference_folder``): the partner chosen among unrelated
photos, none chosen from an unrelated folder, the descriptors cached per folder, gray files skipped; on small
synthetic scenes and the shipped model."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reference_scene import colour_scene as scene
from reference_scene import unrelated

from colorstudio.core import catalog, color, imageio, reference_folder
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.jobs import Colorizer, render_lightness
from colorstudio.core.pipeline import ColorizeOptions
from colorstudio.core.reference_cache import cache_file
from colorstudio.core.reference_folder import ReferenceFolder
from colorstudio.core.run_control import RunControl

OPTIONS = ColorizeOptions(device="cpu", engine="torch", render_size=256, tile_size=256)




def save(path, pixels) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


@pytest.fixture(scope="module")
def model():
    loaded, _ = catalog.load(catalog.resolve_model(None), device="cpu")
    return loaded.eval()


@pytest.fixture(scope="module")
def photo():
    """The scene in gray (the photo to colour) and its L*."""
    gray = color.compose_rgb(color.lightness(scene()), np.zeros((192, 256, 2), np.float32), np.uint8)[..., 0]
    return gray, render_lightness(gray, OPTIONS.render_size)


def make_folder(folder):
    """The scene's partner (the scene of another seed, mirrored) among three unrelated photos and a gray one."""
    save(folder / "partner.png", np.ascontiguousarray(scene(seed=3)[:, ::-1]))
    for kind in range(3):
        save(folder / "others" / f"unrelated{kind}.jpg", unrelated(kind))
    save(folder / "gray.png", color.compose_rgb(color.lightness(scene()), np.zeros((192, 256, 2), np.float32),
                                                np.uint8))
    return folder


@pytest.fixture
def folder(tmp_path):
    return make_folder(tmp_path / "my colour photos")


@pytest.fixture(scope="module")
def opened(tmp_path_factory, model):
    """``make_folder`` opened once for the tests that only read it (the chosen photos' cells kept)."""
    return ReferenceFolder.open(make_folder(tmp_path_factory.mktemp("shared") / "colour photos"), model)


def counting_reads(monkeypatch) -> list:
    """Every photo read from now on (the reader wrapped), by file name."""
    read, real = [], imageio.read_image

    def counted(path, *args, **kwargs):
        read.append(str(path).replace("\\", "/").rsplit("/", 1)[-1])
        return real(path, *args, **kwargs)

    monkeypatch.setattr(imageio, "read_image", counted)
    return read


def test_the_photos_partner_is_chosen_among_unrelated_ones_and_a_gray_file_is_skipped(model, photo, folder):
    notices = []
    opened = ReferenceFolder.open(folder, model, control=RunControl(on_notice=notices.append), strength=0.7)
    assert sorted(opened.names) == ["others/unrelated0.jpg", "others/unrelated1.jpg", "others/unrelated2.jpg",
                                    "partner.png"]
    assert [e.path for e in opened.skipped] == ["gray.png"]
    assert notices == ["reference folder: gray.png skipped, it has too little colour to guide a photo (colour "
                       "variety 0.0, at least 2.5 needed): it looks gray, sepia, toned or faded"]
    choice = opened.choose(model, photo[1])
    assert choice.names[0] == "partner.png", choice
    assert choice.why.startswith("reference") and "partner.png (match " in choice.why
    assert choice.reference is not None and choice.reference.strength == pytest.approx(0.7)
    assert all(score >= reference_folder.MATCH_AT for score in choice.scores)


def test_an_unrelated_folder_chooses_none_and_the_photo_gets_automatic_colour(model, photo, folder, tmp_path):
    (folder / "partner.png").unlink()
    # the soft blobs match the scene's cells at 0.40 at this size, level with MATCH_AT; what an unrelated photo
    # that is chosen does to the colours: test_reference's test_an_unrelated_reference_leaves_the_automatic_colours
    (folder / "others" / "unrelated1.jpg").unlink()
    opened = ReferenceFolder.open(folder, model)
    choice = opened.choose(model, photo[1])
    assert choice.reference is None and choice.names == ()
    assert choice.why.startswith("no reference matched well enough (best ")
    assert choice.why.endswith("automatic colour")
    save(tmp_path / "photo.png", np.repeat(photo[0][..., None], 3, axis=2))
    colorizer = Colorizer(model, catalog.resolve_model(None), "cpu")
    rendered = colorizer.render(tmp_path / "photo.png", OPTIONS, reference=opened)
    assert rendered.reference is None and rendered.reference_note == choice.why
    assert np.array_equal(rendered.pixels, colorizer.render(tmp_path / "photo.png", OPTIONS).pixels)


def test_a_folder_guides_a_render_with_the_partner(model, photo, opened, tmp_path):
    save(tmp_path / "photo.png", np.repeat(photo[0][..., None], 3, axis=2))
    colorizer = Colorizer(model, catalog.resolve_model(None), "cpu")
    rendered = colorizer.render(tmp_path / "photo.png", OPTIONS, reference=opened)
    assert rendered.reference is not None and "partner.png" in rendered.reference.name.split(", ")
    assert "partner.png (match" in rendered.reference_note
    assert colorizer.provenance(reference=rendered.reference).reference == rendered.reference.name
    assert not np.array_equal(rendered.pixels, colorizer.render(tmp_path / "photo.png", OPTIONS).pixels)


def test_a_render_from_a_folder_reads_the_photo_once_for_the_choice_and_the_guide(model, photo, opened,
                                                                                   tmp_path, monkeypatch):
    from colorstudio.core import reference_match

    save(tmp_path / "photo.png", np.repeat(photo[0][..., None], 3, axis=2))
    read, real = [], reference_match.lightness_features
    monkeypatch.setattr(reference_match, "lightness_features", lambda e, lightness: read.append(lightness) or real(
        e, lightness))
    monkeypatch.setattr(reference_match, "_last", [])  # nothing kept from the tests before
    rendered = Colorizer(model, catalog.resolve_model(None), "cpu").render(tmp_path / "photo.png", OPTIONS,
                                                                          reference=opened)
    assert rendered.reference is not None and read  # (the photo's features at least)
    twice = [i for i, lightness in enumerate(read) if any(np.array_equal(lightness, r) for r in read[:i])]
    # no image read twice: the photo once for the choice and the guide; a reference smaller than FEATURE_SIDE
    # zoomed out for its second scale (it was read as it is at both, each cell a candidate twice)
    assert twice == []


def test_a_second_open_reads_no_photo_and_a_changed_added_or_removed_file_is_read_again(model, folder,
                                                                                       monkeypatch):
    first = ReferenceFolder.open(folder, model)
    assert cache_file(folder).exists()
    read = counting_reads(monkeypatch)
    again = ReferenceFolder.open(folder, model)
    assert read == []
    assert again.names == first.names and np.array_equal(again.descriptors, first.descriptors)
    assert [e.path for e in again.skipped] == ["gray.png"]  # a skipped file is remembered too
    save(folder / "others" / "unrelated1.jpg", unrelated(0)[::-1])  # changed
    save(folder / "new.png", scene(seed=5))  # added
    (folder / "others" / "unrelated2.jpg").unlink()  # removed
    changed = ReferenceFolder.open(folder, model)
    assert sorted(read) == ["new.png", "unrelated1.jpg"]
    assert "others/unrelated2.jpg" not in changed.names and "new.png" in changed.names
    read.clear()
    ReferenceFolder.open(folder, model)
    assert read == []


def test_the_cache_keeps_the_folders_used_last_only(model, folder, monkeypatch):
    """However many folders a person tries, the cache stays bounded: the ones used longest ago go."""
    import os

    from colorstudio.core import reference_cache

    ReferenceFolder.open(folder, model)
    where = cache_file(folder).parent
    for other in set(where.glob("*.npz")) - {cache_file(folder)}:  # other tests' folders
        other.unlink()
    old = [where / f"{i:02d}.npz" for i in range(4)]  # other folders' files, used 1000-4000 s ago
    for i, path in enumerate(old):
        path.write_bytes(b"descriptors")
        os.utime(path, (1e9 - 1000 * (i + 1),) * 2)
    os.utime(cache_file(folder), (1e9 - 5000,) * 2)  # this folder's, the oldest of all
    monkeypatch.setattr(reference_cache, "KEEP", 3)
    ReferenceFolder.open(folder, model)  # used again (nothing changed, its file not written)
    assert cache_file(folder).stat().st_mtime > 1e9 and len(list(where.glob("*.npz"))) == 5
    save(folder / "new.png", scene(seed=5))
    ReferenceFolder.open(folder, model)  # written again: the oldest beyond 3 deleted
    assert sorted(where.glob("*.npz")) == sorted([cache_file(folder), old[0], old[1]])


def test_another_models_descriptors_are_not_reused(model, folder, monkeypatch):
    ReferenceFolder.open(folder, model)
    monkeypatch.setattr(reference_folder, "model_key", lambda encoder: "another model")
    read = counting_reads(monkeypatch)
    ReferenceFolder.open(folder, model)
    assert len(read) == 5


def test_the_chosen_photos_are_read_again_only_and_kept_in_a_bounded_memory(model, photo, folder, monkeypatch):
    opened = ReferenceFolder.open(folder, model)
    read = counting_reads(monkeypatch)
    for _ in range(2):
        opened.choose(model, photo[1])
    features = reference_folder.photo_features(reference_folder.encoder_of(model), photo[1])
    ranked = np.argsort(-(opened.descriptors @ reference_folder.descriptor(features)), kind="stable")
    candidates = [Path(opened.names[i]).name for i in ranked[:reference_folder.CANDIDATES]]
    assert "partner.png" in candidates and sorted(read) == sorted(candidates)  # the candidates, once each
    monkeypatch.setattr(reference_folder, "LOADED", 2)
    opened.choose(model, photo[1])
    assert len(opened._loaded) == 2  # at most LOADED photos kept (one read again, the oldest dropped)


def test_a_folder_travels_by_pickle_without_its_loaded_photos(model, photo, opened):
    half = opened.with_strength(0.5)
    chosen = half.choose(model, photo[1])
    assert chosen.reference.strength == 0.5 and opened.strength == 1.0
    copy = pickle.loads(pickle.dumps(half))
    assert len(copy._loaded) == 0 and copy.strength == 0.5
    again = copy.choose(model, photo[1])
    assert again.names == chosen.names and again.scores == pytest.approx(chosen.scores)


def test_an_empty_folder_or_one_without_colour_photos_is_refused_clearly(model, tmp_path):
    with pytest.raises(ColorStudioError, match="has no photos"):
        ReferenceFolder.open(tmp_path, model)
    save(tmp_path / "old.png", np.zeros((40, 50), np.uint8) + 90)
    (tmp_path / "notes.jpg").write_bytes(b"not a photo")
    with pytest.raises(ColorStudioError, match="none of the 2 photos .* is a colour photo"):
        ReferenceFolder.open(tmp_path, model)
    with pytest.raises(ColorStudioError, match="between 0 and 1"):
        ReferenceFolder(tmp_path, "key", []).with_strength(2.0)
