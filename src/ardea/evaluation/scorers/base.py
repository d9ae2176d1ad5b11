"""The :class:`Scorer` base class and the :func:`scorer` decorator (MLflow's shapes).

A scorer is called with any subset of ``inputs``, ``outputs``, ``expectations``, ``trace``
(and ``session`` for session-level scorers): :meth:`Scorer.run` passes only the arguments
its ``__call__`` (or the decorated function) names. It returns a bool, a number, a string,
a :class:`~ardea.entities.Feedback`, a list of them, or None (no assessment), exactly as
``mlflow.genai.scorers`` does; :func:`ardea.evaluation.scorers.run.run_scorer` turns any of
those (and any exception) into a list of feedbacks.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union, overload

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "AGGREGATIONS",
    "ARGUMENTS",
    "CODEC",
    "Aggregation",
    "DecoratorScorer",
    "Scorer",
    "check_aggregations",
    "scorer",
]

AGGREGATIONS = ("min", "max", "mean", "median", "variance", "p90")
"""The aggregation names MLflow accepts (callables are accepted too)."""

Aggregation = Union[  # noqa: UP007 - a runtime alias on Python 3.10
    Literal["min", "max", "mean", "median", "variance", "p90"],
    Callable[[list[Union[int, float]]], float],  # noqa: UP007
]
"""An aggregation: one of :data:`AGGREGATIONS` or a function of the list of values."""

ARGUMENTS = ("inputs", "outputs", "expectations", "trace", "session")
"""The arguments a scorer may ask for (``session``: the traces of one conversation)."""


CODEC: dict[str, Callable[..., Any]] = {}
"""Serialization functions, registered by :mod:`ardea.evaluation.scorers.serialize`, and
``register``, by :mod:`ardea.evaluation.scorers.registered` (both of which the package always
imports) so that this module imports neither."""


def check_aggregations(aggregations: Sequence[Any] | None) -> list[Any] | None:
    """``aggregations`` checked: names from :data:`AGGREGATIONS` or callables.

    Raises:
        InvalidArgumentError: Not a list, or an unknown name.
    """
    if aggregations is None:
        return None
    if isinstance(aggregations, (str, bytes)) or not isinstance(aggregations, Sequence):
        raise InvalidArgumentError(
            f"aggregations must be a list of {list(AGGREGATIONS)} or callables, "
            f"got {aggregations!r}"
        )
    for item in aggregations:
        if not callable(item) and item not in AGGREGATIONS:
            raise InvalidArgumentError(
                f"Invalid aggregation {item!r}: use one of {list(AGGREGATIONS)} or a callable"
            )
    return list(aggregations)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _parameters(func: Callable[..., Any]) -> frozenset[str]:
    """The scorer arguments ``func`` takes (all of them when it takes ``**kwargs``)."""
    params = inspect.signature(func).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return frozenset(ARGUMENTS)
    return frozenset(p.name for p in params if p.name in ARGUMENTS)


class Scorer:
    """A metric of one evaluated row: subclass it and define ``__call__``.

    ``__call__`` takes keyword arguments among ``inputs``, ``outputs``, ``expectations``,
    ``trace`` (and ``session``) and returns a bool, a number, a string, a
    :class:`~ardea.entities.Feedback`, a list of feedbacks, or None.

    Args:
        name: The assessment name (default: the class's ``name`` attribute, else the class
            name in snake case).
        description: What it measures.
        aggregations: How ``evaluate`` summarises its values: names among ``min``, ``max``,
            ``mean``, ``median``, ``variance``, ``p90``, or callables.
        pass_if: A predicate on a value that says whether the row passes.
        timeout: Seconds one call may take (None or 0: no limit).
        **fields: Values of attributes the subclass annotates (like pydantic fields in
            MLflow's ``Scorer``).

    Example::

        class LongEnough(Scorer):
            min_words: int = 3

            def __call__(self, *, outputs):
                return len(str(outputs).split()) >= self.min_words

        LongEnough(min_words=5).run(outputs="one two three")  # False
    """

    calls_llm: ClassVar[bool] = False
    """Whether calling this scorer calls an LLM (judges), so its results can be cached."""

    is_judge: ClassVar[bool] = False
    """Whether its feedbacks come from an LLM judge (source ``LLM_JUDGE`` + model URI)."""

    session_level: ClassVar[bool] = False
    """Whether it judges a whole conversation (``session=``) rather than one trace."""

    default_aggregations: ClassVar[list[Any] | None] = None

    init_fields: ClassVar[tuple[str, ...]] = ()
    """Constructor arguments a built-in writes to (and reads from) its serialized form."""

    name: str
    description: str | None = None
    aggregations: list[Any] | None = None
    timeout: float | None = None

    def __init__(
        self,
        name: str | None = None,
        *,
        description: str | None = None,
        aggregations: Sequence[Any] | None = None,
        pass_if: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
        **fields: Any,
    ) -> None:
        resolved = name if name is not None else getattr(type(self), "name", None)
        if resolved is None:
            resolved = _snake(type(self).__name__)
        if not isinstance(resolved, str) or not resolved.strip():
            raise InvalidArgumentError("A scorer's name must be a non-empty string")
        self.name = resolved
        self.description = description if description is not None else type(self).description
        aggs = aggregations if aggregations is not None else type(self).default_aggregations
        self.aggregations = check_aggregations(aggs)
        if pass_if is not None and not callable(pass_if):
            raise InvalidArgumentError("pass_if must be a callable that takes a value")
        self._pass_if = pass_if
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0
        ):
            raise InvalidArgumentError(f"timeout must be a number of seconds >= 0, got {timeout}")
        self.timeout = float(timeout) if timeout else None
        annotated = _annotations(type(self))
        for key, value in fields.items():
            if key not in annotated:
                raise InvalidArgumentError(
                    f"{type(self).__name__} got an unexpected argument {key!r}"
                )
            setattr(self, key, value)

    # ------------------------------------------------------------------ calling

    if TYPE_CHECKING:
        __call__: Callable[..., Any]
    else:

        def __call__(self, **kwargs: Any) -> Any:
            """Score one row (subclasses define it with the arguments they need)."""
            raise NotImplementedError(f"{type(self).__name__} must define __call__")

    @property
    def parameters(self) -> frozenset[str]:
        """The arguments :meth:`run` passes (those ``__call__`` names)."""
        return _parameters(self.__call__)

    @property
    def pass_if(self) -> Callable[[Any], bool] | None:
        """The predicate that says whether a value passes, if one was given."""
        return self._pass_if

    @property
    def is_session_level_scorer(self) -> bool:
        """MLflow's name for :attr:`session_level`."""
        return self.session_level

    def _arguments(self, available: dict[str, Any]) -> dict[str, Any]:
        wanted = self.parameters
        return {k: v for k, v in available.items() if k in wanted}

    def run(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> Any:
        """Call the scorer with the arguments it takes; returns what it returns (may raise)."""
        available = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "session": session,
        }
        result = self.__call__(**self._arguments(available))
        if inspect.isawaitable(result):
            return _resolve(result)
        return result

    async def arun(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> Any:
        """:meth:`run` for coroutines; a sync scorer runs in a worker thread."""
        available = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "session": session,
        }
        if inspect.iscoroutinefunction(self.__call__):
            return await self.__call__(**self._arguments(available))
        result = await asyncio.to_thread(self.__call__, **self._arguments(available))
        if inspect.isawaitable(result):
            return await result
        return result

    def cache_key(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> str | None:
        """A content address of this call's result, for scorers worth caching (LLM judges).

        None for code scorers (re-running them is cheaper than looking them up).
        """
        return None

    # ------------------------------------------------------------------ serialization

    def to_dict(self) -> dict[str, Any]:
        """MLflow's ``serialized_scorer`` dict (what ``scorers/register`` stores)."""
        return dict(CODEC["to_dict"](self))

    def serialized_fields(self) -> dict[str, Any]:
        """The built-in's own constructor arguments (MLflow's ``builtin_scorer_pydantic_data``)."""
        return {f: getattr(self, f) for f in self.init_fields}

    @classmethod
    def from_serialized_fields(cls, fields: dict[str, Any]) -> Scorer:
        """The built-in that :meth:`serialized_fields` (plus name and options) describe."""
        allowed = {"name", "aggregations", "description", "timeout", *cls.init_fields}
        allowed |= set(getattr(cls, "extra_serialized", ()))
        return cls(**{k: v for k, v in fields.items() if k in allowed and v is not None})

    def model_dump(self, **_: Any) -> dict[str, Any]:
        """MLflow's name for :meth:`to_dict`."""
        return self.to_dict()

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        import json

        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, data: str | dict[str, Any]) -> Scorer:
        """The scorer a :meth:`to_json` string (or dict, or MLflow's JSON) describes.

        Raises:
            InvalidArgumentError: Not a serialized scorer Ardea can rebuild (custom
                ``@scorer`` code is never executed from JSON).
        """
        scorer: Scorer = CODEC["from_json"](data)
        return scorer

    model_validate_json = from_json

    def register(
        self,
        *,
        name: str | None = None,
        experiment_id: str | None = None,
        tracking_uri: str | None = None,
    ) -> Scorer:
        """Save this scorer on an experiment as the next version of ``name`` (its own name).

        See :mod:`ardea.evaluation.scorers.registered`. Returns this scorer.
        """
        CODEC["register"](self, name=name, experiment_id=experiment_id, tracking_uri=tracking_uri)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _annotations(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is Scorer or klass is object:
            continue
        names.update(getattr(klass, "__annotations__", {}))
    return names


def _resolve(awaitable: Any) -> Any:
    """The result of an awaitable from sync code (in a fresh loop, on a thread if one runs)."""

    async def wait() -> Any:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wait())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, wait()).result()


class DecoratorScorer(Scorer):
    """A scorer made by :func:`scorer` from a function."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        aggregations: Sequence[Any] | None = None,
        pass_if: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
        session_level: bool = False,
    ) -> None:
        params = inspect.signature(func).parameters.values()
        for p in params:
            if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                continue
            if p.name not in ARGUMENTS and p.default is inspect.Parameter.empty:
                raise InvalidArgumentError(
                    f"@scorer function {func.__name__!r} has a parameter {p.name!r}: a scorer "
                    f"takes only {', '.join(ARGUMENTS)} (others need a default)"
                )
        self._func = func
        self._params = _parameters(func)
        self._session = session_level
        super().__init__(
            name or func.__name__,
            description=description if description is not None else inspect.getdoc(func),
            aggregations=aggregations,
            pass_if=pass_if,
            timeout=timeout,
        )

    @property
    def session_level(self) -> bool:  # type: ignore[override]
        """Whether the function takes ``session``."""
        return self._session or "session" in self._params

    @property
    def parameters(self) -> frozenset[str]:
        """The arguments the decorated function names."""
        return self._params

    @property
    def func(self) -> Callable[..., Any]:
        """The decorated function."""
        return self._func

    def __call__(self, **kwargs: Any) -> Any:
        """Call the decorated function."""
        return self._func(**kwargs)

    async def arun(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> Any:
        """Await an async function; run a sync one in a worker thread."""
        kwargs = self._arguments(
            {
                "inputs": inputs,
                "outputs": outputs,
                "expectations": expectations,
                "trace": trace,
                "session": session,
            }
        )
        if inspect.iscoroutinefunction(self._func):
            return await self._func(**kwargs)
        result = await asyncio.to_thread(self._func, **kwargs)
        if inspect.isawaitable(result):
            return await result
        return result


@overload
def scorer(func: Callable[..., Any]) -> DecoratorScorer: ...


@overload
def scorer(
    func: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    aggregations: Sequence[Any] | None = None,
    pass_if: Callable[[Any], bool] | None = None,
    timeout: float | None = None,
    session_level: bool | str | None = None,
) -> Callable[[Callable[..., Any]], DecoratorScorer]: ...


def scorer(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    aggregations: Sequence[Any] | None = None,
    pass_if: Callable[[Any], bool] | None = None,
    timeout: float | None = None,
    session_level: bool | str | None = None,
) -> DecoratorScorer | Callable[[Callable[..., Any]], DecoratorScorer]:
    """Make a scorer of a function (MLflow's ``@scorer``), with or without options.

    The function takes any subset of ``inputs``, ``outputs``, ``expectations``, ``trace``
    (and ``session``) and returns a bool, number, string, Feedback, list of Feedback or None.

    Args:
        func: The function (when used as a bare ``@scorer``).
        name: Assessment name (default: the function's name).
        description: What it measures (default: the docstring).
        aggregations: ``min``, ``max``, ``mean``, ``median``, ``variance``, ``p90`` or callables.
        pass_if: Predicate on a value: does the row pass?
        timeout: Seconds one call may take.
        session_level: Whether it judges a whole conversation (also implied by a ``session``
            parameter).

    Example::

        @scorer(aggregations=["mean", "min"])
        def exact(outputs, expectations):
            return outputs == expectations["expected_response"]
    """

    def wrap(f: Callable[..., Any]) -> DecoratorScorer:
        return DecoratorScorer(
            f,
            name=name,
            description=description,
            aggregations=aggregations,
            pass_if=pass_if,
            timeout=timeout,
            session_level=bool(session_level),
        )

    return wrap(func) if func is not None else wrap
