# Quick start: `make run` (portal with demo data) and `make test` (the whole suite). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VENDOR := static/vendor

.PHONY: run test setup assets migrate demo bench lint messages clean

$(VENV)/.installed: pyproject.toml
	@echo "==> 安装 Python 依赖（首次约 1 分钟，之后跳过）……"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet -e '.[dev]'
	@# psycopg2 compiles against libpq; where that is missing the binary wheel installs instead (never both).
	@if [ -n "$$DATABASE_URL" ] || command -v pg_config >/dev/null; then \
		$(PY) -m pip install --quiet psycopg2 || $(PY) -m pip install --quiet psycopg2-binary; \
	fi
	@touch $@

setup: $(VENV)/.installed assets
	@mkdir -p var/log var/celery/processed var/staticfiles var/media

$(VENDOR)/.stamp: package.json package-lock.json
	@echo "==> 安装前端库（npm ci）……"
	@npm ci --no-audit --no-fund --loglevel=error
	@rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/danmaku
	@cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	@cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	@cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts $(VENDOR)/bootstrap-icons/
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	@cp node_modules/danmaku/dist/danmaku.dom.min.js $(VENDOR)/danmaku/
	@touch $@

assets: $(VENDOR)/.stamp

migrate: setup
	@echo "==> 建立或更新数据库表……"
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate
	@$(PY) manage.py seed_demo --scale city

# The portal as a user sees it (DEBUG off); `DEBUG=1 make run` for Django's debug pages.
run: demo
	@PORT=$(PORT) bash scripts/run.sh

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) scripts/bench.py $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/lint-imports && $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

messages: setup
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --no-obsolete
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
