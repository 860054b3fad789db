"""``colorstudio colorize --cluster``: a batch of photos as a Ray Data job.

The driver plans the batch with ``core.batch`` exactly as the local command does (finished outputs skipped,
clashing names renamed, inputs never written), so only the photos still to do become rows of a Ray dataset,
one photo a block. ``map_batches`` runs them through ``PhotoWorker``, a callable class that Ray keeps as a
pool of actors: each loads the model once (``core.jobs.Colorizer``, one GPU each where the cluster has GPUs,
else its share of the CPUs) and reads, colorizes and writes each photo with the local command's own reader,
pipeline and atomic writer. The model is the one the driver resolved (a name of this machine's models, or
a file here): its weights and card go to the workers through Ray's object store, so a worker on another
machine colorizes with exactly this model without having it. A reference (``--reference``) travels the same
way (``ship_reference``): a reference photo as its file's bytes (each actor reads it as the local command
does, so its name and SHA-256 are the same in the provenance); a reference folder as its descriptors, read
(or taken from the cache) once on the driver with the job's model, while the few photos chosen for each photo
are read by the workers from the folder itself, as they read the photos to colorize: the folder must be
where the workers see it at the same path (a shared file system, as for local inputs). A photo that fails is a row saying why, never a
failed job; an actor that dies (a lost node, an out-of-memory kill) is restarted by Ray and its photos are run
again. Rows stream back to the driver as photos finish, for its progress and summary.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from colorstudio.cluster import storage
from colorstudio.cluster.connect import Workers
from colorstudio.core.batch import Job
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.hints import hints_from_json, hints_json
from colorstudio.core.options import JobSettings
from colorstudio.core.run_control import RunControl
from colorstudio.core.text import plural

log = logging.getLogger(__name__)

FAILURES_FILE = "colorstudio-failures.json"  # beside the outputs: every photo that failed, and why


@dataclass
class Outcome:
    """What became of one photo: its output, or the reason it failed (``unexpected``: a bug, in the log)."""

    source: str
    output: str
    error: str = ""
    unexpected: bool = False
    notes: str = ""  # what the user should know about a photo that worked (an animation's first frame...)
    seconds: float = 0.0
    worker: str = ""  # host:pid of the actor that did it
    reference: str = ""  # with a reference folder: the photo(s) it took ("" for none)...
    reference_note: str = ""  # ...and the note saying which, or that none matched

    @property
    def ok(self) -> bool:
        return not self.error


FIELDS = tuple(Outcome.__dataclass_fields__)


class PhotoWorker:
    """A Ray actor of the job: the model loaded once, then photo after photo (see the module)."""

    def __init__(self, settings: JobSettings, threads: int, model=None, reference=None) -> None:
        """``model``: the driver's model (``ship_model``), else ``settings.model`` as this machine knows it;
        ``reference``: the driver's reference (``ship_reference``), or None."""
        from colorstudio.core.jobs import Colorizer

        self.settings = settings
        options = settings.options
        name = self._receive(model) if model is not None else settings.model
        self.colorizer = Colorizer.load(name, options.device, options.engine, options.precision,
                                        RunControl(on_notice=lambda message: log.warning("%s", message)),
                                        threads=threads)
        self.name = f"{platform.node() or 'worker'}:{os.getpid()}"
        self.reference = self._receive_reference(reference) if reference is not None else None

    def _receive_reference(self, reference):
        """The shipped reference: a folder as it came, a photo written to this actor's own folder and read."""
        import ray

        from colorstudio.core.reference import Reference

        shipped = ray.get(reference) if isinstance(reference, ray.ObjectRef) else reference
        if "folder" in shipped:
            return shipped["folder"]
        self._reference_folder = tempfile.TemporaryDirectory(prefix="colorstudio-reference-")
        photo = Path(self._reference_folder.name) / shipped["name"]
        photo.write_bytes(shipped["bytes"])
        return Reference.from_file(photo, shipped["strength"])

    def _receive(self, model) -> str:
        """The shipped model written to this actor's own folder (its weights, and its card beside them as
        the catalog reads it); the path to load."""
        import ray

        shipped = ray.get(model) if isinstance(model, ray.ObjectRef) else model
        self._model_folder = tempfile.TemporaryDirectory(prefix="colorstudio-model-")  # lives with the actor
        weights = Path(self._model_folder.name) / f"{shipped['name']}.safetensors"
        weights.write_bytes(shipped["weights"])
        weights.with_suffix(".json").write_text(json.dumps(shipped["card"]), encoding="utf-8")
        return str(weights)

    def __call__(self, batch: dict) -> dict:
        rows = [self.colorize(str(s), str(o), str(h)) for s, o, h in zip(batch["source"], batch["output"],
                                                                        batch["hints"])]
        return {name: [getattr(row, name) for row in rows] for name in FIELDS}

    def colorize(self, source: str, output: str, hints: str) -> Outcome:
        started = time.monotonic()
        outcome = Outcome(source, output, worker=self.name)
        notes: list[str] = []
        try:
            photo_hints = hints_from_json(json.loads(hints), f"{source}: hint")
            with storage.readable(storage.place(source)) as local_in, \
                    storage.writable(storage.place(output)) as local_out:
                written = self.colorizer.colorize_file(Job(local_in, local_out), self.settings, hints=photo_hints,
                                                       reference=self.reference,
                                                       control=RunControl(on_notice=notes.append))
            outcome.reference, outcome.reference_note = written.reference, written.reference_note
        except (ColorStudioError, MemoryError) as exc:
            outcome.error = str(exc) or type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - one photo's unexpected error must not stop the job
            log.exception("while colorizing %s", source)
            outcome.error, outcome.unexpected = f"unexpected error: {type(exc).__name__}: {exc}", True
        outcome.notes = "; ".join(notes)
        outcome.seconds = time.monotonic() - started
        return outcome


def ship_model(settings: JobSettings) -> dict:
    """The job's model as the driver resolves it: its name, weights and card (raises ColorStudioError)."""
    from colorstudio.core import catalog

    entry = catalog.resolve_model(settings.model or None)
    return {"name": entry.name, "weights": entry.path.read_bytes(), "card": entry.card}


def ship_reference(path: Path, strength: float, settings: JobSettings, control: RunControl = RunControl()) -> dict:
    """What the workers need of ``--reference`` (see the module): a photo's name, bytes and strength, or a
    folder opened here with the job's model (its descriptors; raises ColorStudioError as the local command
    does for a folder without colour photos)."""
    path = Path(path).absolute()
    if not path.is_dir():
        return {"name": path.name, "bytes": path.read_bytes(), "strength": float(strength)}
    from colorstudio.core import catalog
    from colorstudio.core.reference_folder import ReferenceFolder

    model, _ = catalog.load(catalog.resolve_model(settings.model or None), device="cpu")
    return {"folder": ReferenceFolder.open(path, model.eval(), control=control, strength=strength)}


def describe_reference(shipped: dict) -> str:
    """A line for the user about the reference the workers get."""
    if "folder" in shipped:
        folder = shipped["folder"]
        skipped = f", {len(folder.skipped)} skipped" if folder.skipped else ""
        return (f"Reference folder: {plural(len(folder), 'colour photo')}{skipped}; a reference is chosen per photo on the "
                f"workers, which read the chosen photos from {folder.folder} (strength {folder.strength:g}).")
    return f"Reference photo: {shipped['name']} (strength {shipped['strength']:g}), sent to the workers."


def rows(jobs: Sequence[Job], hints_for: Callable[[Job], list]) -> tuple[list[dict], list[Outcome], list[Job]]:
    """The dataset's rows (source, output, hints as JSON) with their jobs, and the photos that failed before
    starting (a hints file that cannot be read). Local paths are made absolute for the workers."""
    made, failed, kept = [], [], []
    for job in jobs:
        try:
            hints = json.dumps(hints_json(hints_for(job))["hints"])
        except ColorStudioError as exc:
            failed.append(Outcome(str(job.source), str(job.output), error=str(exc)))
            continue
        made.append({"source": storage.as_text(job.source), "output": storage.as_text(job.output), "hints": hints})
        kept.append(job)
    return made, failed, kept


def colorize(jobs: Sequence[Job], settings: JobSettings, workers: Workers,
             hints_for: Callable[[Job], list] = lambda job: [], model: dict | None = None,
             reference: dict | None = None) -> Iterator[Outcome]:
    """Colorize ``jobs`` on the joined cluster (``connect.connect``) with ``workers`` and ``model``
    (``ship_model``; by default the one ``settings`` names), guided by ``reference`` (``ship_reference``) if
    given; yields each photo's Outcome as it finishes, in
    no fixed order. Temporary files of a worker killed while writing are removed at the end."""
    import ray.data

    todo, failed, jobs_todo = rows(jobs, hints_for)
    yield from failed
    if not todo:
        return
    try:
        model = ray.put(model or ship_model(settings))
        reference = ray.put(reference) if reference is not None else None
        dataset = ray.data.from_items(todo, override_num_blocks=len(todo))  # one photo a block: spread evenly
        results = dataset.map_batches(
            PhotoWorker, fn_constructor_kwargs={"settings": settings, "threads": workers.cpus, "model": model,
                                   "reference": reference},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=workers.count), num_cpus=workers.cpus, num_gpus=workers.gpus,
            memory=workers.memory)
        # (Ray Data's default for an actor pool: a dead actor is restarted and its photos are run again)
        shown = {row["source"]: job for row, job in zip(todo, jobs_todo)}
        for row in results.iter_rows():
            outcome = Outcome(**{name: row[name] for name in FIELDS})
            job = shown[outcome.source]  # told as the user named it, not as the workers were sent it
            outcome.source, outcome.output = str(job.source), str(job.output)
            yield outcome
    finally:
        remove_temporaries(jobs)


def remove_temporaries(jobs: Sequence[Job]) -> None:
    """Delete what a killed worker's atomic writes left (local outputs; elsewhere nothing is half-written)."""
    from colorstudio.core.imageio.writer import temporary_files

    for job in jobs:
        if storage.is_local(job.output):
            for leftover in temporary_files(job.output):
                leftover.unlink(missing_ok=True)


def write_failures(folder, failures: list[tuple[str, str]], summary: dict) -> object | None:
    """``FAILURES_FILE`` in the output ``folder`` listing (file, reason) of every failure, or, after a run
    without failures, no such file (an earlier run's is removed). Returns the file written, if any."""
    target = storage.place(folder) / FAILURES_FILE
    if not failures:
        if target.exists():
            target.unlink()
        return None
    listed = [{"file": storage.as_text(storage.place(str(f))), "reason": r} for f, r in failures]
    data = json.dumps({**summary, "failures": listed}, indent=1).encode("utf-8")
    if storage.is_local(target):
        from colorstudio.core.imageio.writer import atomic_write

        atomic_write(target, lambda out: out.write(data), what="failures list")
    else:
        with target.open("wb") as out:
            out.write(data)
    return target
