"""``colorstudio colorize ... --cluster``: the planned batch run as a Ray Data job (``colorstudio.cluster``),
shown and summed up like the local command, plus the failures list beside the outputs."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from colorstudio.cli.batch_summary import finish
from colorstudio.cli.progress import BatchProgress, say
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import JobSettings
from colorstudio.core.run_control import RunControl
from colorstudio.core.text import plural


class ReferenceTally:
    """How many photos of a batch took a reference from a reference folder, and how many matched none."""

    def __init__(self) -> None:
        self.took = self.none = 0

    def count(self, written) -> str:
        """Count one photo (``jobs.Written`` or a cluster ``Outcome``); the text for its line ("" when it had
        no reference folder)."""
        note = getattr(written, "reference_note", "")
        if not note:
            return ""
        if getattr(written, "reference", ""):
            self.took += 1
        else:
            self.none += 1
        return f" ({note})"

    def say(self) -> None:
        if self.took or self.none:
            say(f"Reference folder: {plural(self.took, 'photo')} took a reference from it, {self.none} matched "
                "none (automatic colour).")


def run_on_cluster(plan, settings: JobSettings, hints, target: str, workers: int,
                   reference: tuple | None = None) -> int:
    """Colorize ``plan.jobs`` on the cluster ``target``; the exit code of the local command (0, 1, 130;
    2 when the cluster cannot be used). ``reference``: (the --reference photo or folder, its strength)."""
    from colorstudio.cluster import colorize_job, connect  # (no Ray at import: it is needed when a job runs)

    failures = list(plan.problems)
    done, interrupted, unexpected = 0, False, False
    started = time.monotonic()
    try:
        if plan.jobs:
            model = colorize_job.ship_model(settings)  # an unknown model is said before a cluster starts
            shipped = None
            if reference is not None:
                shipped = colorize_job.ship_reference(*reference, settings,
                                                      RunControl(on_notice=lambda message: say(f"  note: {message}")))
                say(colorize_job.describe_reference(shipped))
            with connect.connect(target, on_notice=say):
                pool = connect.plan_workers(workers, settings.options.device, len(plan.jobs))
                say(f"Cluster: {plural(len(plan.jobs), 'photo')} to do, {len(plan.skipped)} already done, on "
                    f"{pool.describe()}.")
                outcomes = colorize_job.colorize(plan.jobs, settings, pool, hints, model, shipped)
                done, unexpected, interrupted = _watch(outcomes, len(plan.jobs), failures)
        code = finish(done, plan, failures, time.monotonic() - started, interrupted, unexpected)
        summary = {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "colorized": done,
                   "skipped": len(plan.skipped), "failed": len(failures)}
        written = colorize_job.write_failures(settings.output.folder, failures, summary)
        if written is not None:
            say(f"The failures are listed in {written}")
        return code
    except ColorStudioError as exc:
        say(f"colorstudio: error: {exc}")
        return 2


def _watch(outcomes, total: int, failures: list) -> tuple[int, bool, bool]:
    """Show each photo as it finishes; (done, any unexpected error, interrupted)."""
    done, unexpected = 0, False
    tally = ReferenceTally()
    with BatchProgress(total) as bar:
        try:
            for index, outcome in enumerate(outcomes):
                bar.start_file(index, outcome.source)
                if outcome.notes:
                    bar.note(outcome.notes)
                if outcome.ok:
                    done += 1
                    took = tally.count(outcome)
                    bar.end_file(f"-> {outcome.output} ({outcome.seconds:.1f} s on {outcome.worker}){took}")
                else:
                    failures.append((outcome.source, outcome.error))
                    bar.end_file(f"FAILED: {outcome.error}")
                    unexpected = unexpected or outcome.unexpected
                bar.update(1, 1)
        except KeyboardInterrupt:
            say("Interrupted: photos already written are kept; the same command resumes the batch.")
            return done, unexpected, True
    tally.say()
    return done, unexpected, False
