"""The objects a ``python_function`` model pickles: written so ``mlflow`` loads them too.

This module imports nothing from Ardea: it is pickled *by value* (cloudpickle), so a model
directory saved by Ardea loads with ``mlflow.pyfunc.load_model`` in an environment without
Ardea. MLflow's loader calls ``load_context(context)`` once, then ``predict(model_input,
params=None)`` and ``predict_stream(...)``; these wrappers give a plain function or any object
with ``predict`` that shape.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["FunctionModel", "NoTypeHints", "ObjectModel", "TorchStateDictModel", "torch_predict"]


class NoTypeHints:
    """What MLflow's loader reads as ``predict_type_hints``: no hints, so no conversion."""

    input = None
    output = None


class _Base:
    @property
    def predict_type_hints(self) -> NoTypeHints:
        """No type hints: MLflow passes the input through unchanged (pandas stays pandas)."""
        return NoTypeHints()


class FunctionModel(_Base):
    """A plain function ``fn(model_input)`` as a python model."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def load_context(self, context: Any) -> None:
        """Nothing to load: the function is self-contained."""

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """Call the function on the input."""
        return self.fn(model_input)


class ObjectModel(_Base):
    """An object with ``predict(model_input)`` (and optionally ``predict_stream``)."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def load_context(self, context: Any) -> None:
        """Forward to the object's own ``load_context`` when it has one."""
        hook = getattr(self.obj, "load_context", None)
        if callable(hook):
            hook(context)

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """The object's ``predict``."""
        return self.obj.predict(model_input)

    def predict_stream(
        self, model_input: Any, params: dict[str, Any] | None = None
    ) -> Iterator[Any]:
        """The object's ``predict_stream``; a TypeError when it has none."""
        stream = getattr(self.obj, "predict_stream", None)
        if stream is None:
            raise TypeError(f"{type(self.obj).__name__} has no predict_stream method")
        yield from stream(model_input)


def torch_predict(module: Any, model_input: Any) -> Any:
    """Run a torch module on a DataFrame (as float32) or an array; returns a numpy array."""
    import numpy as np
    import torch

    if hasattr(model_input, "to_numpy"):
        model_input = model_input.to_numpy(dtype=np.float32)
    if not isinstance(model_input, np.ndarray):
        raise TypeError("PyTorch models take a pandas DataFrame or a numpy array.")
    with torch.no_grad():
        out = module(torch.from_numpy(model_input))
    return out.numpy() if hasattr(out, "numpy") else out


class TorchStateDictModel(_Base):
    """A PyTorch model saved as a state dict plus a loader (``"package.module:function"``).

    ``load_context`` imports the loader (from the model's ``code/`` or the environment),
    builds the module with it and loads the weights with ``torch.load(weights_only=True)``.
    """

    def __init__(self, loader: str) -> None:
        self.loader = loader
        self.module: Any = None

    def load_context(self, context: Any) -> None:
        """Build the module and load its weights from the ``state_dict`` artifact."""
        import torch

        module_name, _, attr = self.loader.partition(":")
        build = getattr(importlib.import_module(module_name), attr)
        module = build()
        state = torch.load(context.artifacts["state_dict"], weights_only=True)
        module.load_state_dict(state)
        module.eval()
        self.module = module

    def predict(self, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        """The module's output on the input, as a numpy array."""
        return torch_predict(self.module, model_input)
