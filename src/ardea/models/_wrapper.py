"""The objects a ``python_function`` model pickles: written so ``mlflow`` loads them too.

This module imports nothing from Ardea: it is pickled *by value* (cloudpickle), so a model
directory saved by Ardea loads with ``mlflow.pyfunc.load_model`` in an environment without
Ardea. MLflow's loader calls ``load_context(context)`` once, then ``predict(model_input,
params=None)`` and ``predict_stream(...)``; these wrappers give a plain function or any object
with ``predict`` that shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["FunctionModel", "NoTypeHints", "ObjectModel"]


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
