"""Build the demo data of every app: `manage.py seed_demo --scale city|province`. Safe to run again."""

import time

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


class Command(BaseCommand):
    help = "Load deterministic demo data (嘉州市 at city scale, a whole province at province scale). Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=["city", "province"], default="city")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, scale: str, seed: int, **options) -> None:
        started = time.monotonic()
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
        self.stdout.write(f"==> 生成演示数据（{'市级' if scale == 'city' else '省级'}规模，已有的数据跳过）……")
        for number, (name, module) in enumerate(modules, start=1):
            step = time.monotonic()
            self.stdout.write(f"  [{number}/{len(modules)}] {name}……")
            self.stdout.flush()
            module.seed(scale=scale, seed=seed, stdout=self.stdout)
            self.stdout.write(f"      完成，用时 {time.monotonic() - step:.1f} 秒")
        step = time.monotonic()
        self.stdout.write("  年度宣讲数据（仪表盘和年度报表读取，之后由后台任务保持更新）……")
        made = outreach_services.coverage_figures_ensure(year=timezone.localdate().year)
        outreach_services.coverage_figures_refresh_stale()
        self.stdout.write(f"      新建 {made} 个范围，用时 {time.monotonic() - step:.1f} 秒")
        if connection.vendor == "postgresql":
            # Bulk loads leave the planner's statistics stale; without them it picks nested loops over thousands
            # of rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪，共用时 {time.monotonic() - started:.1f} 秒"))
