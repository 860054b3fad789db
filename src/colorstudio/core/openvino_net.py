"""The network run by OpenVINO: the same model, at the CPU's real speed (issue: PyTorch eager leaves 2.5x
on the table on a laptop's CPU).

``OpenVinoNet`` stands in for a loaded PyTorch colorization model wherever the pipeline uses one: it has the
model's attributes (``uses_context``, ``accepts_hints``, ``size_multiple``, its colour response...) and its two
inference calls, ``encode_context`` and ``predict_ab``, taking and giving torch tensors. Underneath, the
PyTorch module is converted once (``openvino.convert_model``) with free batch and spatial sizes, saved as
OpenVINO IR in the user cache folder (keyed by the model file's content and the OpenVINO version, so a second
start does not convert again; ``engine_cache`` keeps that folder bounded).

Shapes: a batch of photos of many pixel sizes gives tiles of many shapes (a photo smaller than the tile is one
tile of its own size). Every shape runs on one compiled network with free sizes (OpenVINO's dynamic shapes:
the same numbers, 0.02 s more on a shape's first tile, 2-8% slower a tile, measured), and a shape that keeps
coming back (``STATIC_AFTER`` tiles, or a photo that will run that many: a big photo's 512 px tiles, told by
``plan_tiles``) gets a network compiled for it alone, the fastest; at most ``STATIC_MODELS`` of those are kept, the one used longest ago dropped. When the tiles move
from one network to another, the one left gives back its working memory (about 220 MB for the dynamic one at
512 px, 100 MB for one compiled for 512 px, measured; 0.05 s to take it again). Compiling a network for every
shape, as before, cost 14 MB of memory and 14 MB of cache a shape, for as long as the process lived.

Precision: ``float32`` (the default) gives PyTorch's results to float rounding; ``fast`` lets the CPU use
bfloat16 where it has it (what OpenVINO does by default on such CPUs), measured in the README.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sys
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from colorstudio.core.models.runtime import RuntimeModel

# OpenVINO's model converter reports its use to Intel over the internet (the ``openvino_telemetry``
# package, Google Analytics) unless a consent file says no, and writes ~/intel/openvino_ga_cid. colorstudio
# sends nothing anywhere and writes nothing outside its own folders: with the package made unimportable, the
# converter uses its built-in stub, which does nothing. (Set before any ``import openvino``: this module is
# the only one that imports it.)
if "openvino_telemetry" not in sys.modules:
    sys.modules["openvino_telemetry"] = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

PRECISIONS = ("float32", "fast")
STATIC_AFTER = 4  # tiles of one shape before it gets a network of its own (a big photo has 6 or more)
STATIC_MODELS = 2  # networks compiled for one shape kept at once
SHAPES_COUNTED = 64  # shapes whose tiles are counted towards STATIC_AFTER (the most recent ones)
# OpenVINO keeps what a dynamic network prepared for each shape it ran (its default: 5000 shapes, measured
# 6 MB a shape over a batch of photos of many sizes); a shape not kept costs 0.02 s to prepare again
RUNTIME_CACHE = 16
conversions = 0  # how many times a model was converted in this process (tests: the cache is used)


class _Predict(nn.Module):
    """``predict_ab`` as a module with plain tensor inputs: l[, hints][, context]."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.hints = bool(model.accepts_hints)
        self.context = bool(model.uses_context)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        l = inputs[0]
        hints = inputs[1] if self.hints else None
        context = inputs[-1] if self.context else None
        return self.model.predict_ab(l, hints, context)


class _Context(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, l_small: torch.Tensor) -> torch.Tensor:
        return self.model.encode_context(l_small)


class _FixedSamePadding(nn.Module):
    """A TF-"same" convolution whose padding is computed from the input size in Python on every call
    (efficientnet-lite's ``Conv2dDynamicSamePadding``), with that padding fixed instead. Traced, the dynamic
    one bakes the example's size into the padding, and any other size comes out cropped. For inputs
    divisible by the stride (all tiles are multiples of the model's ``size_multiple``), the padding is
    ``(k - 1) * d + 1 - s`` whatever the size, so fixing it is exact."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        self.conv = conv
        pads = []
        for k, d, s in zip(conv.weight.shape[-2:], conv.dilation, conv.stride):
            total = max((k - 1) * d + 1 - s, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        self.pads = (left, right, top, bottom)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.pad(x, self.pads) if any(self.pads) else x
        c = self.conv
        return nn.functional.conv2d(x, c.weight, c.bias, c.stride, 0, c.dilation, c.groups)


def traceable(model: nn.Module) -> nn.Module:
    """A copy of ``model`` whose size-dependent Python (dynamic "same" padding) is made fixed, so that the
    converted network takes any tile size."""
    import copy

    copied = copy.deepcopy(model)
    for parent in list(copied.modules()):
        for name, child in list(parent.named_children()):
            if type(child).__name__ == "Conv2dDynamicSamePadding":
                setattr(parent, name, _FixedSamePadding(child))
    return copied


def file_key(path: Path | None) -> str | None:
    """What a converted model is cached under: the weights file's content (a fine-tuned model saved again
    under the same name gets a new one)."""
    if path is None or not Path(path).is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:20]


def cpu_has_fast_precision() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16, AMX): "fast" is then bfloat16."""
    import openvino as ov

    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


class _OfTorchModel:
    """An attribute of the runtime interface, read from the PyTorch model (a non-data descriptor: a value set
    on the ``OpenVinoNet`` itself, as ``evaluate --contrast`` does, takes its place there)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, net: OpenVinoNet | None, owner: type | None = None):
        return self if net is None else getattr(net.torch_model, self.name)


class OpenVinoNet(RuntimeModel):
    """A PyTorch colorization model's inference, run by OpenVINO (see the module's text)."""

    size_multiple = _OfTorchModel()
    uses_context = _OfTorchModel()
    context_size = _OfTorchModel()
    accepts_hints = _OfTorchModel()
    colour_gain = _OfTorchModel()
    colour_contrast = _OfTorchModel()

    def __init__(self, model: nn.Module, weights: Path | None = None, precision: str = "float32",
                 device: str = "CPU", cache: Path | None = None, threads: int = 0) -> None:
        import openvino as ov

        from colorstudio.core import engine_cache

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        self.torch_model = model.eval().float()
        self.precision, self.device = precision, device
        self.threads = threads  # CPU threads for inference; 0: OpenVINO's own choice (all the cores)
        self.core = ov.Core()
        key = file_key(weights)
        folder = (engine_cache.open_entry(Path(cache), f"{key}-ov{ov.__version__.split('-')[0]}")
                  if cache and key else None)
        fixed = traceable(self.torch_model)
        self._predict = self._model(_Predict(fixed), folder, "predict", self._predict_example())
        self._context = (self._model(_Context(fixed), folder, "context", self._context_example())
                         if model.uses_context else None)
        del fixed
        self._dynamic: dict[str, object] = {}  # "predict"/"context" -> compiled with free sizes
        self._static: OrderedDict[tuple, object] = OrderedDict()  # (which, shapes) -> compiled for those alone
        self._uses: OrderedDict[tuple, int] = OrderedDict()  # (which, shapes) -> tiles run on the dynamic one
        self._zeros: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._last: dict[str, object] = {}  # "predict"/"context" -> the network that ran last
        self._lock = threading.Lock()  # compiled models are shared; one request at a time each

    # -- what the pipeline reads (and the interface above) -------------------------------------------------
    def __getattr__(self, name: str):
        # anything else of the PyTorch model: arch, config...
        return getattr(self.__dict__["torch_model"], name)

    def eval(self) -> OpenVinoNet:
        return self

    def to(self, *args, **kwargs) -> OpenVinoNet:
        return self  # it runs where OpenVINO was told to

    @property
    def engine(self) -> str:
        return "OpenVINO"

    @property
    def number_format(self) -> str:
        if self.precision == "float32":
            return "float32"
        return "bfloat16" if cpu_has_fast_precision() else "float16"

    # -- conversion --------------------------------------------------------------------------------------
    def _predict_example(self) -> tuple[torch.Tensor, ...]:
        side = 4 * self.torch_model.size_multiple
        inputs = [torch.zeros(1, 1, side, side)]
        if self.accepts_hints:
            inputs.append(torch.zeros(1, 3, side, side))
        if self.uses_context:
            with torch.inference_mode():
                inputs.append(self.torch_model.encode_context(torch.zeros(1, 1, self.context_size, self.context_size)))
        return tuple(inputs)

    def _context_example(self) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 1, self.torch_model.context_size, self.torch_model.context_size),)

    def _model(self, module: nn.Module, folder: Path | None, name: str, example: tuple):
        """The converted model: from the cache folder, else converted (and saved there)."""
        import openvino as ov

        path = folder / f"{name}.xml" if folder is not None else None
        if path is not None and path.is_file():
            try:
                return self.core.read_model(path)
            except RuntimeError as exc:  # a damaged cache is made again
                log.warning("OpenVINO cache %s unreadable (%s); converting again", path, exc)
        global conversions
        conversions += 1
        # Tracing warns about every Python-level shape check of the model (harmless: the shapes are checked
        # before the network is called) and about tracing itself; a user must not see those. (Once a model,
        # on the engine thread: the process's filters are swapped for the few seconds of the conversion.)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.simplefilter("ignore", FutureWarning)
            converted = ov.convert_model(module, example_input=example)
        for port, tensor in zip(converted.inputs, example):  # free batch and, for images, free size
            dims = [-1] + list(tensor.shape[1:2]) + ([-1, -1] if tensor.dim() == 4 and name == "predict" else
                                                     list(tensor.shape[2:]))
            port.get_node().set_partial_shape(ov.PartialShape(dims))
        converted.validate_nodes_and_infer_types()
        if path is not None:
            try:  # written under a temporary name, then renamed: the .xml last (it is what is looked for); the
                # name is this process's own, as two processes (a cluster's workers) may convert at once
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f"{name}.partial-{os.getpid()}-{secrets.token_hex(4)}.xml")
                ov.save_model(converted, temporary, compress_to_fp16=False)
                temporary.with_suffix(".bin").replace(path.with_suffix(".bin"))
                temporary.replace(path)
            except (OSError, RuntimeError) as exc:
                log.warning("could not cache the converted model in %s: %s", folder, exc)
        return converted

    @property
    def compiled_shapes(self) -> list[tuple]:
        """(which, input shapes) of the networks compiled for one shape that are kept, oldest use first."""
        return list(self._static)

    def _compile(self, model):
        hint = "f32" if self.precision == "float32" else ("bf16" if cpu_has_fast_precision() else "f16")
        config = {}
        if self.device == "CPU":
            config = {"INFERENCE_PRECISION_HINT": hint, "CPU_RUNTIME_CACHE_CAPACITY": RUNTIME_CACHE}
            if self.threads:
                config["INFERENCE_NUM_THREADS"] = self.threads
        return self.core.compile_model(model, self.device, config)

    def plan_tiles(self, shape: tuple, count: int) -> None:
        """The pipeline is about to run ``count`` tiles of lightness ``shape`` (N, 1, H, W): ``STATIC_AFTER`` or
        more, and they run on a network of their own from the first (the dynamic one would first take its
        larger working memory for them: 263 MB against 142 MB at 512 px, measured)."""
        key = ("predict", tuple(shape))
        with self._lock:
            if count >= STATIC_AFTER and key not in self._static:  # (fewer count as they run)
                self._uses[key] = max(self._uses.pop(key, 0), STATIC_AFTER - 1)

    def _compiled_for(self, which: str, shapes: tuple):
        """The network for these input shapes: the one compiled for them alone, else the dynamic one (see the
        module's text). Called under ``_lock``; a network is known by its first input's shape (the others
        follow from it)."""
        key = (which, shapes[0])
        static = self._static.get(key)
        if static is not None:
            self._static.move_to_end(key)
            return static
        uses = self._uses.pop(key, 0) + 1
        if uses < STATIC_AFTER:
            self._uses[key] = uses
            while len(self._uses) > SHAPES_COUNTED:
                self._uses.popitem(last=False)
            if which not in self._dynamic:
                self._dynamic[which] = self._compile(self._predict if which == "predict" else self._context)
            return self._dynamic[which]
        model = (self._predict if which == "predict" else self._context).clone()
        model.reshape({port.get_any_name(): list(shape) for port, shape in zip(model.inputs, shapes)})
        self._static[key] = compiled = self._compile(model)
        while len(self._static) > STATIC_MODELS:
            self._static.popitem(last=False)
        return compiled

    def _run(self, which: str, inputs: list[np.ndarray]) -> torch.Tensor:
        shapes = tuple(tuple(a.shape) for a in inputs)
        with self._lock:
            compiled = self._compiled_for(which, shapes)
            last = self._last.get(which)
            if last is not None and last is not compiled:  # one network's working memory held at a time
                last.release_memory()
            self._last[which] = compiled
            out = compiled(inputs)[0]
        return torch.from_numpy(np.array(out, dtype=np.float32))

    def _no_hints(self, shape: torch.Size) -> np.ndarray:
        """The all-zero hint planes for tiles of ``shape``, made once (OpenVINO only reads its inputs): a
        fresh 3 MB array a tile cost 2-3 ms, about 4% of a tile."""
        key = (shape[0], 3, *shape[2:])
        with self._lock:
            return self._kept_zeros(key)

    def _kept_zeros(self, key: tuple) -> np.ndarray:
        zeros = self._zeros.pop(key, None)
        if zeros is None:
            zeros = np.zeros(key, np.float32)
        self._zeros[key] = zeros  # the most recent last; a few shapes are kept
        while len(self._zeros) > STATIC_MODELS:
            self._zeros.popitem(last=False)
        return zeros

    # -- inference ---------------------------------------------------------------------------------------
    def encode_context(self, l_small: torch.Tensor) -> torch.Tensor:
        return self._run("context", [l_small.float().cpu().numpy()])

    def predict_ab(self, l: torch.Tensor, hints: torch.Tensor | None = None,
                   context: torch.Tensor | None = None) -> torch.Tensor:
        inputs = [l.float().cpu().numpy()]
        if self.accepts_hints:
            inputs.append(hints.float().cpu().numpy() if hints is not None else self._no_hints(l.shape))
        if self.uses_context:
            if context is None:
                from colorstudio.core.models.base import context_input

                context = self.encode_context(context_input(l, self.context_size))
            inputs.append(context.float().cpu().numpy())
        return self._run("predict", inputs)
