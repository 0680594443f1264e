"""Build the demo data of every app: `manage.py seed_demo --scale city|province`. Safe to run again."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from courses import demo as courses_demo
from evaluations import demo as evaluations_demo
from evaluations import demo_analysis as analysis_demo
from evaluations import demo_competition as competition_demo
from instructors import demo as instructors_demo
from outreach import demo as outreach_demo


class Command(BaseCommand):
    help = "Load deterministic demo data (嘉州市 at city scale, a whole province at province scale). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=["city", "province"], default="city")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, scale: str, seed: int, **options) -> None:
        started = time.monotonic()
        modules = [
            ("instructors", instructors_demo),
            ("courses", courses_demo),
            ("outreach", outreach_demo),
            ("evaluations", evaluations_demo),
            ("competition", competition_demo),
            ("analysis", analysis_demo),
        ]
        for name, module in modules:
            step = time.monotonic()
            module.seed(scale=scale, seed=seed, stdout=self.stdout)
            self.stdout.write(f"  {name}: {time.monotonic() - step:.1f}s")
        if connection.vendor == "postgresql":
            # Bulk loads leave the planner's statistics stale; without them it picks nested loops over thousands of
            # rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"demo data ready ({scale}) in {time.monotonic() - started:.1f}s"))
