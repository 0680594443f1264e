"""The demo city 嘉州市 and the province around it, built by ``manage.py seed_demo``: one module per app, kept apart
from production code (nothing in the apps imports this package)."""
