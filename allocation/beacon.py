"""A public randomness beacon as the seed: name a future drand round before the cut-off, enter its value after.

Nobody, not even the operator, can know a drand round's value before the round is published, so
naming the round in advance is the commitment. Anyone can look the value up afterwards at
https://api.drand.sh/<chain>/public/<round> (its "randomness" field) and check it is the seed.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import AllocationRun
from allocation.runs import AllocationError, policy_for

# The League of Entropy's "quicknet" chain: a round every 3 seconds since its genesis.
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
CHAINS = {QUICKNET: (1692803367, 3)}  # chain hash -> (genesis, seconds per round)


def round_time(chain: str, number: int | None) -> dt.datetime:
    """When the round is published: round 1 at genesis, then one every period."""
    genesis, period = CHAINS[chain]
    if number is None:
        raise ValueError("no beacon round was committed for this draw")
    return dt.datetime.fromtimestamp(genesis + (number - 1) * period, dt.UTC)


def first_round_after(chain: str, moment: dt.datetime) -> int:
    """The first round published strictly after the moment."""
    genesis, period = CHAINS[chain]
    return max(1, int((moment.timestamp() - genesis) // period) + 2)


def commit_beacon(date: dt.date, number: int, cutoff: dt.datetime, chain: str = QUICKNET) -> AllocationRun:
    """Name the beacon round whose value will be the date's seed; it must be published after the cut-off."""
    if chain not in CHAINS:
        raise AllocationError(f"Unknown beacon chain {chain}: use drand quicknet ({QUICKNET}).")
    now = timezone.now()
    if cutoff <= now:
        raise AllocationError(f"The cut-off {cutoff.isoformat()} has passed: name the round before the cut-off.")
    published = round_time(chain, number)
    if published <= cutoff:
        raise AllocationError(
            f"Round {number} is published at {published.isoformat()}, not after the cut-off {cutoff.isoformat()}: "
            f"use round {first_round_after(chain, cutoff)} or later."
        )
    try:
        with transaction.atomic():
            return AllocationRun.objects.create(
                date=date, policy=policy_for(date), cutoff=cutoff, beacon_chain=chain, beacon_round=number
            )
    except IntegrityError:
        raise AllocationError(f"A seed or beacon round is already committed for {date}.") from None


def enter_value(run: AllocationRun, value: str) -> AllocationRun:
    """Seal the round's published value as the seed; refused before the round exists or once entered."""
    published = round_time(run.beacon_chain, run.beacon_round)
    if timezone.now() < published:
        raise AllocationError(f"Round {run.beacon_round} is published at {published.isoformat()}: enter it after.")
    value = value.strip().lower()
    if run.sealed_seed and run.sealed_seed != value:
        raise AllocationError(f"The value of round {run.beacon_round} was already entered; it cannot change.")
    AllocationRun.objects.filter(pk=run.pk, sealed_seed="").update(sealed_seed=value)
    run.refresh_from_db()
    return run
