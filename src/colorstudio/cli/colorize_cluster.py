"""``colorstudio colorize ... --cluster``: the planned batch run as a Ray Data job (``colorstudio.cluster``),
shown and summed up like the local command, plus the failures list beside the outputs."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from colorstudio.cli.batch_summary import finish
from colorstudio.cli.progress import BatchProgress, say
from colorstudio.core.errors import ColorStudioError
from colorstudio.core.options import JobSettings
from colorstudio.core.text import plural


def run_on_cluster(plan, settings: JobSettings, hints, target: str, workers: int) -> int:
    """Colorize ``plan.jobs`` on the cluster ``target``; the exit code of the local command (0, 1, 130;
    2 when the cluster cannot be used)."""
    from colorstudio.cluster import colorize_job, connect  # (no Ray at import: it is needed when a job runs)

    failures = list(plan.problems)
    done, interrupted, unexpected = 0, False, False
    started = time.monotonic()
    try:
        if plan.jobs:
            model = colorize_job.ship_model(settings)  # an unknown model is said before a cluster starts
            with connect.connect(target, on_notice=say):
                pool = connect.plan_workers(workers, settings.options.device, len(plan.jobs))
                say(f"Cluster: {plural(len(plan.jobs), 'photo')} to do, {len(plan.skipped)} already done, on "
                    f"{pool.describe()}.")
                outcomes = colorize_job.colorize(plan.jobs, settings, pool, hints, model)
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
    with BatchProgress(total) as bar:
        try:
            for index, outcome in enumerate(outcomes):
                bar.start_file(index, outcome.source)
                if outcome.notes:
                    bar.note(outcome.notes)
                if outcome.ok:
                    done += 1
                    bar.end_file(f"-> {outcome.output} ({outcome.seconds:.1f} s on {outcome.worker})")
                else:
                    failures.append((outcome.source, outcome.error))
                    bar.end_file(f"FAILED: {outcome.error}")
                    unexpected = unexpected or outcome.unexpected
                bar.update(1, 1)
        except KeyboardInterrupt:
            say("Interrupted: photos already written are kept; the same command resumes the batch.")
            return done, unexpected, True
    return done, unexpected, False
