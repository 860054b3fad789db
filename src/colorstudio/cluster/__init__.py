"""The same pipeline on a Ray cluster: ``colorstudio colorize --cluster`` and ``colorstudio train --workers``.

An optional extra (``pip install 'colorstudio[cluster]'``): the base install has no Ray. This layer sits beside
the command line, over the core: the photos are planned by ``core.batch``, colorized by ``core.jobs.Colorizer``
and written by ``core.imageio``, the very functions of the local command, inside Ray Data (``colorize_job``);
training runs the one training loop of ``core.training`` in several processes under Ray Train
(``train_job``). Nothing here schedules work itself: Ray does.
"""

from __future__ import annotations

from colorstudio.core.errors import ColorStudioError

INSTALL_HINT = "pip install 'colorstudio[cluster]'"


def require_ray() -> None:
    """Raise a ColorStudioError that says what to install when Ray (data and train) is not there."""
    try:
        import ray  # noqa: F401
        import ray.data  # noqa: F401
        import ray.train.torch  # noqa: F401
    except ImportError as exc:
        raise ColorStudioError(f"running on a cluster needs Ray, which is not installed ({exc.name} is missing): "
                               f"{INSTALL_HINT}") from None
