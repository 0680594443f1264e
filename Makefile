# Quick start: `make run` (portal with demo data) and `make test` (the whole suite). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VENDOR := static/vendor

.PHONY: run test setup assets migrate demo bench lint messages clean

# uv installs the packages (pip if uv fails): scripts/install_python.sh.
$(VENV)/.installed: pyproject.toml
	@PYTHON=$(PYTHON) $(PYTHON) scripts/step.py --tick "安装 Python 依赖" -- bash scripts/install_python.sh
	@touch $@

# The Python packages and the front-end libraries install side by side (npm ci while uv works).
setup:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed $(VENDOR)/.stamp
	@mkdir -p var/log var/celery/processed var/staticfiles var/media

$(VENDOR)/.stamp: package.json package-lock.json
	@$(PYTHON) scripts/step.py --tick "安装前端库（npm ci）" -- npm ci --no-audit --no-fund --loglevel=error
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
	@$(PYTHON) scripts/step.py --tick "建立或更新数据库表" -- $(PY) manage.py migrate --noinput -v 0

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
