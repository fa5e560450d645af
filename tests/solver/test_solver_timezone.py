"""Times in violations and explanations read in the convention's own time zone."""
from dataclasses import replace

from solver import Location, Names, Placement, Problem, Slot, Workshop, problem_from_json, problem_to_json, violations

# 2027-05-28 07:00 UTC = 09:00 in Berlin (summer time)
SEVEN_UTC = 1_811_487_600 // 60


def _problem(zone: str) -> Problem:
    return Problem(
        slots=(Slot(1, 10, SEVEN_UTC, SEVEN_UTC + 60), Slot(2, 11, SEVEN_UTC, SEVEN_UTC + 60)),
        locations=(Location(10, 30), Location(11, 30)),
        workshops=(Workshop(100, (7,), 10, title="Knots"), Workshop(101, (7,), 10, title="Sourdough")),
        names=Names(hosts={7: "Ana"}, timezone=zone),
    )


def _double_booking_message(problem: Problem) -> str:
    found = violations(problem, [Placement(100, 0, (1,)), Placement(101, 0, (2,))])
    assert [v.code for v in found] == ["host_double_booked"]
    return found[0].message


def test_violation_messages_use_the_convention_time_zone():
    assert "09:00 CEST" in _double_booking_message(_problem("Europe/Berlin"))
    assert "07:00 UTC" in _double_booking_message(_problem("UTC"))


def test_unknown_time_zone_falls_back_to_utc():
    assert "07:00 UTC" in _double_booking_message(_problem("Mars/Olympus_Mons"))


def test_time_zone_survives_the_json_form():
    problem = _problem("America/New_York")
    again = problem_from_json(problem_to_json(problem))
    assert again.names.timezone == "America/New_York"
    assert again == problem
    assert problem_from_json(problem_to_json(replace(problem, names=Names()))).names.timezone == "UTC"
