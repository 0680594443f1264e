"""Build the demo data of every app: `manage.py seed_demo --scale city|province`. Safe to run again."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from config.demo import analysis as analysis_demo
from config.demo import care as care_demo
from config.demo import competition as competition_demo
from config.demo import courses as courses_demo
from config.demo import evaluations as evaluations_demo
from config.demo import instructors as instructors_demo
from config.demo import outreach as outreach_demo
from config.demo import public_feedback as public_feedback_demo
from outreach import services as outreach_services


@contextmanager
def _bulk_load() -> Iterator[None]:
    """SQLite only, for this command's connection: a 256 MB page cache (the answer tables' random keys otherwise
    send every insert through the OS page cache: ~10 s of CPU) and no fsync. A crash of the machine while the demo
    loads may then lose the database (`rm var/db.sqlite3*` and run again); the portal's own connections keep their
    settings (config/settings.py)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA cache_size = -2000")


class _Clock:
    """A step's time as shown ("3.2 秒"), with its CPU time when STEP_CPU=1 (`make bench BENCH_ARGS=--fresh-clone`)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.monotonic(), time.process_time()

    def __str__(self) -> str:
        text = f"{time.monotonic() - self.wall:.1f} 秒"
        if os.environ.get("STEP_CPU") == "1":
            text += f"（CPU {time.process_time() - self.cpu:.1f} 秒）"
        return text


class Command(BaseCommand):
    help = "Load deterministic demo data (嘉州市 at city scale, a whole province at province scale). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=["city", "province"], default="city")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, scale: str, seed: int, **options) -> None:
        started = _Clock()
        self.stdout.write(f"==> 生成演示数据（{'市级' if scale == 'city' else '省级'}规模，已有的数据跳过）……")
        with _bulk_load():
            self._seed(scale=scale, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪，共用时 {started}"))

    def _seed(self, *, scale: str, seed: int) -> None:
        modules = [
            ("师资库", instructors_demo),
            ("课程", courses_demo),
            ("宣讲与大喇叭", outreach_demo),
            ("测评答卷与结果", evaluations_demo),
            ("竞赛", competition_demo),
            ("关怀激励", care_demo),
            ("授课分析", analysis_demo),
            ("网友反馈与座谈走访", public_feedback_demo),
        ]
        for number, (name, module) in enumerate(modules, start=1):
            step = _Clock()
            self.stdout.write(f"  [{number}/{len(modules)}] {name}……")
            self.stdout.flush()
            module.seed(scale=scale, seed=seed, stdout=self.stdout)
            self.stdout.write(f"      完成，用时 {step}")
        step = _Clock()
        self.stdout.write("  年度宣讲数据（仪表盘和年度报表读取，之后由后台任务保持更新）……")
        made = outreach_services.coverage_figures_ensure(year=timezone.localdate().year)
        outreach_services.coverage_figures_refresh_stale()
        self.stdout.write(f"      新建 {made} 个范围，用时 {step}")
        if connection.vendor == "postgresql":
            # Bulk loads leave the planner's statistics stale; without them it picks nested loops over thousands
            # of rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
