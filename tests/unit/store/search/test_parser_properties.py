"""Property tests of the filter grammar.

1. Arbitrary text (and arbitrary sequences of grammar fragments) never raises anything but
   InvalidArgumentError from any parser.
2. Well-formed filters generated from random Clauses, rendered with random entity aliases,
   key quoting, keyword case, string quoting and spacing, parse back to those Clauses.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.store.search import Clause
from ardea.store.search.parser import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_logged_model_filter,
    parse_logged_model_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from ardea.store.search.vocabulary import (
    ENTITY_ALIASES,
    EXPERIMENTS,
    LOGGED_MODELS,
    RUNS,
    Vocabulary,
)

FILTER_PARSERS = (parse_run_filter, parse_experiment_filter, parse_logged_model_filter)

FRAGMENTS = [
    "metrics.acc", "params.x", "tags.`a.b`", 'tags."k"', "attributes.run_id", "run_name",
    "start_time", "created", "datasets.name", "name", "experiment_id", "creation_time", "status",
    "=", "!=", ">", ">=", "<", "<=", "<>", "==", "LIKE", "ilike", "IN", "NOT", "IS", "NULL",
    "AND", "and", "OR", "(", ")", ",", "'a'", '"b"', "'it''s'", "1", "-2.5e3", ".5", "1.2.3",
    "`", "'", '"', ".", ";", "%", "_", "\\", "x", "ASC", "DESC", "\n", "\x00", "é", "1e999",
]  # fmt: skip


def _assert_only_invalid_argument(call: object, argument: object) -> None:
    try:
        call(argument)  # type: ignore[operator]
    except InvalidArgumentError as exc:
        assert str(exc)
    # Any other exception propagates and fails the test.


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_random_text_only_raises_invalid_argument(text: str) -> None:
    for parse in FILTER_PARSERS:
        _assert_only_invalid_argument(parse, text)
    _assert_only_invalid_argument(parse_run_order_by, [text])
    _assert_only_invalid_argument(parse_experiment_order_by, [text])
    _assert_only_invalid_argument(parse_logged_model_order_by, [{"field_name": text}])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=12),
    st.lists(st.sampled_from(["", " ", "  "]), min_size=12, max_size=12),
)
def test_random_fragments_only_raise_invalid_argument(parts: list[str], gaps: list[str]) -> None:
    text = "".join(part + gap for part, gap in zip(parts, gaps, strict=False))
    for parse in FILTER_PARSERS:
        _assert_only_invalid_argument(parse, text)
    _assert_only_invalid_argument(parse_run_order_by, [text])
    _assert_only_invalid_argument(parse_experiment_order_by, [text])


# ----------------------------------------------------------------------------- round trip

_BARE_KEY = re.compile(r"[A-Za-z0-9_\-:/]+")
_ALIASES_OF: dict[str, list[str]] = {}
for _alias, _entity in ENTITY_ALIASES.items():
    _ALIASES_OF.setdefault(_entity, []).append(_alias)


@st.composite
def _cased(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips, strict=True))


@st.composite
def _spaces(draw: st.DrawFn, minimum: int = 1) -> str:
    return draw(st.text(alphabet=" \t\n", min_size=minimum, max_size=3))


@st.composite
def _quoted_string(draw: st.DrawFn, value: str) -> str:
    quote = draw(st.sampled_from(["'", '"']))
    return quote + value.replace(quote, quote * 2) + quote


@st.composite
def _key_text(draw: st.DrawFn, key: str) -> str:
    styles = ["`", '"']
    if _BARE_KEY.fullmatch(key):
        styles.append("")
    quote = draw(st.sampled_from(styles))
    return quote + key.replace(quote, quote * 2) + quote if quote else key


_NO_NUL = st.characters(blacklist_characters="\x00")  # a filter with NUL is refused
_VALUE_TEXT = st.text(_NO_NUL, max_size=20)
_KEY = st.text(_NO_NUL, min_size=1, max_size=15)
_PARSERS = {
    "search_runs": parse_run_filter,
    "search_experiments": parse_experiment_filter,
    "search_logged_models": parse_logged_model_filter,
}


def _spellings(vocabulary: Vocabulary, key: str) -> list[str]:
    """The ways to write a canonical attribute key: itself and its aliases."""
    return [key, *(a for a, k in vocabulary.attribute_aliases.items() if k == key)]


@st.composite
def _comparator_text(draw: st.DrawFn, comparator: str) -> str:
    words = [draw(_cased(word)) for word in comparator.split(" ")]
    return "".join(draw(_spaces()) + word for word in words) + draw(_spaces())


@st.composite
def _clause(draw: st.DrawFn, vocabulary: Vocabulary) -> tuple[Clause, str]:
    """A random valid clause of one API and one way to write it."""
    entity = draw(st.sampled_from(sorted(vocabulary.entities)))
    if entity == "attribute":
        key = draw(st.sampled_from(sorted(vocabulary.attribute_comparators)))
        comparators = vocabulary.attribute_comparators[key]
        written = draw(st.sampled_from(_spellings(vocabulary, key)))
        prefixes = ["", *(a + "." for a in _ALIASES_OF["attribute"])]
        ident = draw(st.sampled_from(prefixes)) + draw(_key_text(written))
    else:
        key = (
            draw(st.sampled_from(sorted(vocabulary.dataset_keys)))
            if entity == "dataset"
            else draw(_KEY)
        )
        comparators = vocabulary.entity_comparators[entity]
        prefix = draw(_cased(draw(st.sampled_from(_ALIASES_OF[entity]))))
        ident = f"{prefix}.{draw(_key_text(key))}"
    comparator = draw(st.sampled_from(sorted(comparators)))
    op = draw(_comparator_text(comparator))
    value: float | str | tuple[str, ...] | None
    if comparator in ("IS NULL", "IS NOT NULL"):
        value, rendered = None, ""
    elif comparator in ("IN", "NOT IN"):
        value = tuple(draw(st.lists(_VALUE_TEXT, min_size=1, max_size=4)))
        items = [draw(_quoted_string(v)) + draw(_spaces(0)) for v in value]
        rendered = "(" + draw(_spaces(0)) + ",".join(items) + ")"
    elif entity == "metric":
        value = draw(st.floats(allow_nan=False, allow_infinity=False))
        rendered = repr(value)
    elif key in vocabulary.numeric_attributes:
        value = draw(st.integers(-(2**63) + 1, 2**63 - 1))
        rendered = str(value)
    else:
        value = draw(_VALUE_TEXT)
        rendered = draw(_quoted_string(value))
    return Clause(entity, key, comparator, value), ident + op + rendered  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([RUNS, EXPERIMENTS, LOGGED_MODELS]), st.data())
def test_generated_filters_round_trip(vocabulary: Vocabulary, data: st.DataObject) -> None:
    items = data.draw(st.lists(_clause(vocabulary), min_size=1, max_size=5))
    text = data.draw(_spaces(0)) + items[0][1]
    for _, piece in items[1:]:
        text += data.draw(_spaces()) + data.draw(_cased("and")) + data.draw(_spaces()) + piece
    text += data.draw(_spaces(0))
    assert _PARSERS[vocabulary.api](text) == [clause for clause, _ in items]
