"""The gateway's rate limits, budgets, guardrails and virtual-key checks (a library).

The request path calls :meth:`Limits.check` before the provider call and
:meth:`Limits.settle` after it; see ``docs/gateway.md`` ("Limits, budgets, guardrails, keys").
"""

from ardea.gateway.limits.budgets import BudgetAlert, BudgetPolicy, SettleResult
from ardea.gateway.limits.context import Decision, RequestContext, Reservation
from ardea.gateway.limits.engine import Limits
from ardea.gateway.limits.keys import check_key
from ardea.gateway.limits.stores import REDIS_URL_ENV, counter_store_for, open_counter_store

__all__ = [
    "REDIS_URL_ENV",
    "BudgetAlert",
    "BudgetPolicy",
    "Decision",
    "Limits",
    "RequestContext",
    "Reservation",
    "SettleResult",
    "check_key",
    "counter_store_for",
    "open_counter_store",
]
