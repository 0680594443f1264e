# Chinese office conventions on top of Django's zh_Hans formats: 4,583 with a comma, dates as 2024年12月5日.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
