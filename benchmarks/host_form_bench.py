"""The host's workshop pages at real convention size: server time of the list, the propose and edit forms and
the "can never fit" check (which snapshots the whole convention as the solver sees it) on the large demo
(1,000 workshops, 60 rooms, 3 days x 8 slots, 300 hosts).

In process, through Flask's test client (no network), signed in as demo-host-0; each request `--repeat`
times, median and max reported. Seeds the large demo into `--database-url` unless `--reuse`.

    .venv/bin/python benchmarks/host_form_bench.py
    .venv/bin/python benchmarks/host_form_bench.py --database-url sqlite:////tmp/large.db --reuse
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

TARGET_SECONDS = 0.300  # a page, or the check a change of an input sends, answers within this


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="the database holds the large demo already")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/large.db"
    os.environ["DATABASE_URL"] = url

    import sqlalchemy as sa

    from webapp import create_app
    from webapp.cli import upgrade_database
    from webapp.demo import DEMO_PASSWORD, seed_demo
    from webapp.extensions import db
    from webapp.models import Convention, User, Workshop

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        if not args.reuse:
            upgrade_database()
            seed_demo("large", 2027)
            db.session.commit()
        convention = db.session.scalar(sa.select(Convention).order_by(Convention.id.desc()))
        host = db.session.scalar(sa.select(User).where(User.email == "demo-host-0@example.org"))
        workshop = db.session.scalar(sa.select(Workshop).where(Workshop.host_id == host.id,
                                                               Workshop.convention_id == convention.id))
        rooms = db.session.scalars(sa.select(sa.text("id")).select_from(sa.text("locations"))
                                   .where(sa.text(f"convention_id = {convention.id}"))).all()
        convention_id, workshop_id = convention.id, workshop.id
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "demo-host-0@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    check = {"convention_id": str(convention_id), "title": "Bench", "max_attendees": "500", "duration_slots": "2",
             "location_ids": [str(r) for r in rooms[:20]]}
    requests = {
        "my workshops": lambda: client.get("/host/workshops"),
        "propose form": lambda: client.get(f"/host/workshops/new?convention_id={convention_id}"),
        "edit form (judged on arrival)": lambda: client.get(f"/host/workshops/{workshop_id}/edit"),
        "never-fits check (new)": lambda: client.post("/host/workshops/feasibility", data=check),
        "never-fits check (saved)": lambda: client.post("/host/workshops/feasibility",
                                                        data={**check, "workshop_id": str(workshop_id)}),
    }
    print(f"{'request':32} {'median s':>9} {'max s':>7}  target {TARGET_SECONDS} s")
    for name, call in requests.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
        median = statistics.median(times)
        print(f"{name:32} {median:9.3f} {max(times):7.3f}  {'met' if median <= TARGET_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
