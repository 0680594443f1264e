"""Request ids: taken from the proxy or made here, sent back on the response, and on every log record."""

import json
import logging
import sys

from config.middleware import JsonFormatter, RequestIdFilter, request_id_var


def test_request_id_from_the_proxy_is_kept_and_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"


def test_request_id_is_made_when_missing_or_malformed(client):
    made = client.get("/healthz")["X-Request-ID"]
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nINFO forged line")["X-Request-ID"]
    assert (len(made), len(replaced), "forged" in replaced) == (32, 32, False)


def test_every_log_record_of_a_request_carries_its_id(client, monkeypatch):
    seen = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.request_id)

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    logging.getLogger("config.health").addHandler(handler)
    monkeypatch.setattr("config.health._database_ok", lambda: logging.getLogger("config.health").error("x") or False)
    try:
        response = client.get("/readyz", HTTP_X_REQUEST_ID="req-1")
        assert response.status_code == 503
    finally:
        logging.getLogger("config.health").removeHandler(handler)
    assert seen == ["req-1"]


def test_json_formatter_writes_one_object_per_line_with_the_request_id():
    token = request_id_var.set("req-9")
    try:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed for %s", ("张三",), None)
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert ("\n" in line, data["message"], data["request_id"], data["level"]) == (
        False,
        "failed for 张三",
        "req-9",
        "ERROR",
    )


def test_json_formatter_keeps_the_traceback_of_an_error():
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    data = json.loads(JsonFormatter().format(record))
    assert (data["exc_type"], "ZeroDivisionError" in data["exc"], data["request_id"]) == (
        "ZeroDivisionError",
        True,
        "-",
    )


def test_error_logged_by_django_after_the_middleware_keeps_the_request_id(rf):
    request = rf.get("/readyz")
    request.request_id = "req-late"
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable", (), None)
    record.request = request
    RequestIdFilter().filter(record)
    assert record.request_id == "req-late"
