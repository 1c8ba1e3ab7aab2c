"""Hypothesis strategies for pools and port days."""

from hypothesis import strategies as st

from allocation.engine import Entry, Pool, PortDay

SIZES = st.sampled_from([1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12])


@st.composite
def entries(draw, max_households: int = 120, ports: tuple[int, ...] = (1, 2, 3)) -> list[Entry]:
    count = draw(st.integers(0, max_households))
    return [
        Entry(
            ticket=n + 1,
            port=draw(st.sampled_from(ports)),
            size=draw(SIZES),
            priority=draw(st.integers(1_700_000_000, 1_700_000_000 + 200 * 86400)),
            urgency=draw(st.sampled_from([0] * 8 + [1, 2, 3])),
            carried=draw(st.booleans().map(lambda b: b and draw(st.integers(0, 9)) == 0)),
        )
        for n in range(count)
    ]


@st.composite
def pools(draw, **kwargs) -> Pool:
    return Pool.from_entries(draw(entries(**kwargs)))


@st.composite
def port_days(draw, ports: tuple[int, ...] = (1, 2, 3)) -> list[PortDay]:
    return [PortDay(key, f"port-{key}", draw(st.integers(0, 120)), draw(st.integers(1, 18))) for key in ports]
