"""The price table and cost computation: sure matches only, exact arithmetic, bad input refused."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardea._core.errors import InvalidArgumentError
from ardea.llm.pricing import Price, compute_cost, model_price

RAW = json.loads(resources.files("ardea.llm").joinpath("prices.json").read_text("utf-8"))
ENTRIES = [(p, m, e) for p, s in RAW["providers"].items() for m, e in s["models"].items()]
KEYS = [m for _, m, _ in ENTRIES]


# ----------------------------------------------------------------------------- the table


def test_table_is_complete_and_sane() -> None:
    assert set(RAW["providers"]) == {"openai", "anthropic", "google", "mistral", "groq"}
    for section in RAW["providers"].values():
        assert section["source"].strip()
        date.fromisoformat(section["as_of"])
    for provider, model, entry in ENTRIES:
        tiers = [entry] + ([entry["long_context"]] if "long_context" in entry else [])
        for tier in tiers:
            for field in ("input", "output", "cached_input", "cache_write"):
                if field in tier:
                    assert math.isfinite(tier[field]) and tier[field] >= 0, (model, field)
            if "cached_input" in tier:
                assert tier["cached_input"] < tier["input"], model
        if "long_context" in entry:
            assert entry["long_context"]["threshold"] > 0
            assert entry["long_context"]["input"] > entry["input"], model
        assert model == model.lower() and "/" not in model, model
        assert provider in {"openai", "anthropic", "google", "mistral", "groq"}


@pytest.mark.parametrize("name", KEYS)
def test_every_entry_prices_itself(name: str) -> None:
    price = model_price(name)
    assert price is not None and price.model == name


def test_required_models_are_present() -> None:
    for name in ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1",
                 "o3", "o3-mini", "o4-mini", "gpt-5", "text-embedding-3-small",
                 "text-embedding-3-large", "claude-3-5-sonnet", "claude-3-5-haiku",
                 "claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4", "claude-3-opus",
                 "claude-3-haiku", "gemini-1.5-pro", "gemini-1.5-flash", "gemini-2.0-flash",
                 "gemini-2.5-pro", "gemini-2.5-flash"):  # fmt: skip
        assert name in KEYS, name
    assert any(k.startswith("mistral-large") for k in KEYS)
    assert any(k.startswith("mistral-small") for k in KEYS)
    assert any(k.startswith("codestral") for k in KEYS)


# ----------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-2024-11-20", "gpt-4o"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),  # the older, dearer snapshot
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("gpt-5-mini-2025-08-07", "gpt-5-mini"),
        ("openai/gpt-4o", "gpt-4o"),
        ("  GPT-4o-Mini  ", "gpt-4o-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("claude-3-haiku-20240307", "claude-3-haiku"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-sonnet-4-0", "claude-sonnet-4"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("anthropic/claude-3-7-sonnet-20250219", "claude-3-7-sonnet"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-1.5-pro-002", "gemini-1.5-pro"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
        ("mistral-large-2411", "mistral-large-2411"),
    ],
)
def test_versions_and_prefixes_normalize(model: str, entry: str) -> None:
    price = model_price(model)
    assert price is not None and price.model == entry


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o-audio-preview",  # variants are other models, whatever their prefix
        "gpt-4o-realtime-preview-2024-12-17",
        "o1-mini",
        "o1-pro",
        "o3-pro",
        "o3-mini-high",
        "gpt-5-pro",
        "gpt-5-chat-latest",
        "gpt-5.3",
        "gpt-4-0613",
        "ft:gpt-4o-mini-2024-07-18:acme::abc123",  # fine-tuned: other prices
        "claude-opus-4-9",  # a minor version is not a date
        "claude-sonnet-4-6",
        "claude-3-5-sonnet-extended",
        "gemini-2.5-flash-preview-04-17",
        "gemini-1.5-flash-8b-exp-0924",
        "gemini-2.5-pro-exp-03-25",
        "mistral-large-latest",  # moving alias
        "llama-3.1-70b",
        "gpt",
        "",
        "   ",
    ],
)
def test_no_sure_match_means_no_price(model: str) -> None:
    assert model_price(model) is None


@given(
    key=st.sampled_from(KEYS),
    word=st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(lambda w: w != "latest"),
)
def test_a_variant_word_never_falls_back_to_the_base(key: str, word: str) -> None:
    name = f"{key}-{word}"
    price = model_price(name)
    # a hit may only be a longer entry that the variant name starts with (gpt-4o + mini)
    assert price is None or (name.startswith(price.model) and len(price.model) >= len(name))


@given(key=st.sampled_from(KEYS), day=st.dates())
def test_any_dated_snapshot_prices_as_its_entry(key: str, day: date) -> None:
    price = model_price(f"{key}-{day.isoformat()}")
    assert price is not None
    # "gpt-4o-2024-05-13" is its own entry; everything else maps to the entry itself
    assert price.model in (key, f"{key}-{day.isoformat()}")


def test_provider_restricts_the_lookup() -> None:
    assert model_price("gpt-4o", provider="openai").provider == "openai"
    assert model_price("gpt-4o", provider="azure").model == "gpt-4o"
    assert model_price("gemini-2.5-pro", provider="gcp.gemini").provider == "google"
    assert model_price("mistral-small-2503", provider="mistral_ai").provider == "mistral"
    assert model_price("gpt-4o", provider="anthropic") is None
    assert model_price("gpt-4o", provider="groq") is None  # other hosts, other prices
    assert model_price(None) is None  # type: ignore[arg-type]
    assert model_price("gpt-4o", provider=3) is None  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- arithmetic


def test_plain_cost() -> None:
    cost = compute_cost("gpt-4o-2024-08-06", input_tokens=1000, output_tokens=500)
    assert cost == pytest.approx({"input_cost": 0.0025, "output_cost": 0.005, "total_cost": 0.0075})
    assert set(cost) == {"input_cost", "output_cost", "total_cost"}


def test_cached_input_is_part_of_input() -> None:
    cost = compute_cost("gpt-4o", 1000, 0, cached_input_tokens=400)
    assert cost["input_cost"] == pytest.approx((600 * 2.5 + 400 * 1.25) / 1e6)
    assert compute_cost("gpt-4o-mini", 0, 0) == {"input_cost": 0, "output_cost": 0, "total_cost": 0}


def test_anthropic_cache_reads_and_writes() -> None:
    cost = compute_cost("claude-3-5-sonnet-20241022", 1000, 100, cached_input_tokens=200,
                        cache_write_input_tokens=100, provider="anthropic")  # fmt: skip
    expected_in = (700 * 3.0 + 200 * 0.3 + 100 * 3.75) / 1e6
    assert cost["input_cost"] == pytest.approx(expected_in)
    assert cost["total_cost"] == pytest.approx(expected_in + 100 * 15.0 / 1e6)


def test_long_context_tier() -> None:
    at_limit = compute_cost("claude-sonnet-4-20250514", 200_000, 1000)
    above = compute_cost("claude-sonnet-4-20250514", 200_001, 1000)
    assert at_limit["input_cost"] == pytest.approx(0.6)
    assert above["input_cost"] == pytest.approx(200_001 * 6.0 / 1e6)
    assert above["output_cost"] == pytest.approx(1000 * 22.5 / 1e6)
    long = compute_cost("gemini-2.5-pro", 300_000, 10_000)
    assert long["total_cost"] == pytest.approx(0.75 + 0.15)
    tier = model_price("gemini-1.5-flash").for_prompt(128_001)
    assert isinstance(tier, Price) and tier.input == 0.15


def test_unknown_prices_give_no_cost() -> None:
    assert compute_cost("my-local-llama", 10, 10) is None
    assert compute_cost("gpt-4o-mini", 10, 10, provider="anthropic") is None
    # cache prices not in the table: no cost rather than a guessed one
    assert compute_cost("gemini-2.5-flash", 100, 10, cached_input_tokens=50) is None
    assert compute_cost("gpt-4o-2024-05-13", 100, 10, cached_input_tokens=50) is None
    assert compute_cost("gpt-4o", 100, 10, cache_write_input_tokens=5) is None
    assert compute_cost("gemini-2.5-flash", 100, 10) is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_tokens": -1},
        {"output_tokens": -5},
        {"input_tokens": 1.5},
        {"input_tokens": True},
        {"output_tokens": "10"},
        {"cached_input_tokens": None},
        {"input_tokens": 10, "cached_input_tokens": 11},
        {"input_tokens": 10, "cached_input_tokens": 6, "cache_write_input_tokens": 5},
    ],
)
def test_bad_counts_are_invalid_arguments(kwargs: dict) -> None:
    args = {"model": "gpt-4o", "input_tokens": 10, "output_tokens": 10, **kwargs}
    with pytest.raises(InvalidArgumentError):
        compute_cost(**args)


def test_table_loads_lazily() -> None:
    code = (
        "import ardea.llm.pricing as c\n"
        "print(c._table.cache_info().currsize)\n"
        "c.model_price('gpt-4o')\n"
        "print(c._table.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert re.findall(r"\d+", out.stdout) == ["0", "1"]
