"""The simulator: its figures on a record where the answer is known by hand, a short real run, and the command."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from allocation.models import AllocationPolicy, AllocationRun, Appointment
from allocation.synthetic import generate_households
from registrations.models import Household
from shared.models import Port
from simulation.days import Scenario, Seated, Simulation
from simulation.report import accuracy, text_report, wait_row


def seated(day: int, shown: dict, wait: int = 10, size: int = 1) -> Seated:
    return Seated(1, day, "el-paso", size, "waiting", "VE", 0, wait, shown)


def test_it_counts_a_day_inside_the_range_shown_by_hand():
    record = [
        seated(40, {30: (35, 45)}),  # inside, width 11
        seated(40, {30: (40, 40)}),  # inside, on the only day shown, width 1
        seated(40, {30: (42, 50)}),  # 2 days early: outside, width 9
        seated(40, {30: (30, 33)}),  # 7 days late: outside, width 4
        seated(40, {7: (39, 41)}),  # shown 7 days ahead only: not counted at 30
    ]
    figures = accuracy(record, 30)
    assert (figures.households, figures.inside, figures.percent) == (4, 2, 50.0)
    assert figures.median_error == 1.0  # errors 0, 0, 2, 7
    assert figures.median_width == 6.5  # widths 1, 4, 9, 11
    assert accuracy(record, 7).percent == 100.0


def test_it_reports_mean_and_90th_percentile_waits_by_hand():
    waits = [seated(1, {}, wait=w) for w in (1, 2, 3, 4, 5, 6, 7, 8, 9, 100)]
    assert wait_row(waits) == (10, 14.5, 9.0)  # the nearest rank, as /statistics computes it
    assert wait_row([seated(1, {}, wait=5)]) == (1, 5.0, 5.0)
    assert wait_row([]) == (0, 0.0, 0.0)


@pytest.mark.django_db
def test_a_short_run_gives_the_figures_computed_by_hand():
    """2,000 people alone at El Paso, registered together the day before; 200 seats a day, all by
    waiting time; everyone confirms and comes. By hand: household k (in registration order) is
    offered at the draw of day k // 200 and waits k // 200 + 1 days; on any day s before, its page
    showed exactly that day (200 people a day, from the capacity before the first draw and the
    runs after). So the 600 offered on days 7-9 were all inside the range shown 7 days before,
    every range one day wide; the mean wait is (1 + ... + 10) / 10 = 5.5 days and the 90th
    percentile the 1,800th of 2,000 waits, 9 days."""
    start = dt.date(2027, 1, 4)
    el_paso = Port.objects.get(code="el-paso")
    Port.objects.filter(pk=el_paso.pk).update(daily_capacity=200)
    AllocationPolicy.objects.create(
        version=2, waiting_share=100, lottery_share=0, reserved_share=0, effective_from=start - dt.timedelta(days=30)
    )
    the_day_before = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    generate_households(2000, seed=1, days=1, now=the_day_before)
    Household.objects.update(size=1, preferred_port=el_paso, registered_at=the_day_before)
    alone = Scenario(
        name="by hand",
        days=10,
        waiting_at_start=0,
        arrivals_per_day=0,
        confirm_rate=1.0,
        no_show_rate=0.0,
        withdraw_rate=0.0,
        grow_rate=0.0,
        vulnerable_per_day=0,
    )
    record = Simulation(alone, seed=1, start=start).run()

    by_pk = sorted(record.seated, key=lambda s: s.household)
    assert [s.day for s in by_pk] == [k // 200 for k in range(2000)]
    lines = text_report(record)
    assert "2,000 households offered a seat, 0 still waiting" in lines[0]
    assert "   7 days ahead: 100.0 % of 600; median error 0 days; median range width 1 days" in lines
    assert "  30 days ahead:   0.0 % of 0; median error 0 days; median range width 0 days" in lines
    by_size = lines.index("  by household size:")
    assert lines[by_size + 1] == "    1                2,000     5.5       9"
    assert lines[-1] == "estimate accuracy: 0.0 % inside the range shown 30 days ahead (target 80 %)"


SMALL = Scenario(
    name="small",
    days=12,
    waiting_at_start=1500,
    registered_over_days=30,
    arrivals_per_day=20,
    capacity_scale=0.1,
    grow_rate=0.1,
    vulnerable_per_day=1,
    closures=({"day": 3, "port": "san-ysidro"},),
)


@pytest.mark.django_db
def test_a_short_run_offers_each_household_once_and_reports_the_headline_last():
    record = Simulation(SMALL, seed=7).run()
    offered = set(Appointment.objects.values_list("household_id", flat=True))
    assert len(record.seated) == len(offered) == len({s.household for s in record.seated})
    assert all(s.wait_days >= 0 for s in record.seated)
    assert len(record.waiting_by_day) == SMALL.days
    # The queue is short: most households are offered within the first days, and each one's
    # range shown 7 days earlier was recorded.
    assert accuracy(record.seated, 7).households > 0
    lines = text_report(record)
    assert lines[-1].startswith("estimate accuracy: ")
    assert lines[-1].endswith("% inside the range shown 30 days ahead (target 80 %)")


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_run():
    scenario = Scenario(name="tiny", days=3, waiting_at_start=300, arrivals_per_day=20)
    first = Simulation(scenario, seed=3).run()
    Appointment.objects.all().delete()
    AllocationRun.objects.all().delete()
    Household.objects.all().delete()
    second = Simulation(scenario, seed=3).run()
    assert [(s.day, s.size, s.port, s.share) for s in first.seated] == [
        (s.day, s.size, s.port, s.share) for s in second.seated
    ]


def test_the_command_runs_on_a_fresh_database_and_writes_the_page(tmp_path):
    report = tmp_path / "report.html"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}", "PYTHONHASHSEED": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "simulate", "--days", "1", "--waiting", "50", "--report", str(report)],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("estimate accuracy: ")
    page = report.read_text()
    assert "<svg" in page and "<script" not in page
    assert not (tmp_path / "untouched.sqlite3").exists() or (tmp_path / "untouched.sqlite3").stat().st_size == 0


@pytest.mark.django_db
def test_the_figure_the_site_publishes_agrees_with_the_simulators_own_count():
    scenario = Scenario(
        name="month", days=34, waiting_at_start=2500, registered_over_days=30, arrivals_per_day=30, capacity_scale=0.05
    )
    record = Simulation(scenario, seed=5).run()
    figures = accuracy(record.seated, 30)
    assert figures.households > 0
    assert record.checked_30 == [figures.households, figures.inside]


@pytest.mark.django_db
def test_the_command_can_run_in_an_empty_database_it_is_given(tmp_path):
    report = tmp_path / "here.html"
    out = io.StringIO()
    call_command("simulate", "--here", "--days", "2", "--waiting", "100", "--report", str(report), stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("estimate accuracy: ")
    assert report.exists()
    with pytest.raises(CommandError, match="no households"):
        call_command("simulate", "--here", "--days", "1", "--report", str(report), stdout=io.StringIO())
