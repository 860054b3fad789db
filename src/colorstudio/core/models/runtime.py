"""What a model offers the code that runs it: the runtime model interface.

The pipeline, the hint tools and training read a model only through :class:`RuntimeModel`: a PyTorch
:class:`~colorstudio.core.models.base.ColorNet`, or ``openvino_net.OpenVinoNet`` standing in for one. Every
optional feature has a default meaning "not offered", so a model (or a test double) declares only what it has.

Besides what is declared here, a runtime model has ``eval()`` and ``to(device)`` (a PyTorch module's own; an
engine that runs elsewhere returns itself from both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from torch import Tensor


class RuntimeModel:
    """A colorization network as it is run: L in, ab out (tensor conventions: ``models.base``).

    Subclasses set :attr:`size_multiple` and implement :meth:`predict_ab`; the rest is optional.
    """

    size_multiple: ClassVar[int]  # tiles' height and width must be multiples of it
    # Whether the network reads a scene embedding of the whole photo (:meth:`encode_context`, made from the
    # photo squashed to ``context_size`` x ``context_size``) beside each tile.
    uses_context: bool = False
    context_size: int = 0
    # Whether colour hint planes change its output (others ignore the ``hints`` argument).
    accepts_hints: bool = False
    # The colour response: the strength its raw output is best used at, chosen on validation photos (see
    # ``colorstudio evaluate --strength``), stored in the model card and multiplied into the user's strength...
    colour_gain: float = 1.0
    # ...and how much bolder its surer colours are made than its unsure ones (``color.expand_chroma``); 0: none.
    colour_contrast: float = 0.0
    engine: str = "PyTorch"  # what runs the network, in words
    number_format: str = "float32"  # what it computes in ("Faster" makes OpenVINO use bfloat16 or float16)

    def encode_context(self, l_small: Tensor) -> Tensor | None:
        """Scene embedding (N, C) of the whole photo at low resolution; ``None`` if not :attr:`uses_context`."""
        return None

    def predict_ab(self, l: Tensor, hints: Tensor | None = None, context: Tensor | None = None) -> Tensor:
        """ab / AB_SCALE, (N, 2, H, W), in [-1, 1]; call it under ``torch.inference_mode()``."""
        raise NotImplementedError

    def plan_tiles(self, shape: tuple, count: int) -> None:
        """Told that ``count`` tiles of lightness ``shape`` (N, 1, H, W) are about to run, for an engine that
        prepares for a shape (OpenVINO); nothing by default."""
