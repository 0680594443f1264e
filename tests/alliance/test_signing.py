"""RFC 9421 signatures between portals, checked in-process: each refusal answers JSON with its code."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from alliance import keys, signing
from alliance.models import Partner, SeenNonce

pytestmark = pytest.mark.django_db
URL = "http://testserver/alliance/api/courses/?since=0"


def _partner(status: str = Partner.Status.ACTIVE) -> Partner:
    partner = Partner(name="乐山市", base_url="http://localhost:8000", public_key=keys.public_key_text(), status=status)
    partner.full_clean()
    partner.save()
    return partner


def _signed_headers(url: str = URL, **kwargs) -> dict:
    prepared = signing.sign(requests.Request("GET", url).prepare(), **kwargs)
    return {name: prepared.headers[name] for name in ("Signature", "Signature-Input", "Content-Digest", "Date")}


def _get(client, headers: dict, path: str = "/alliance/api/courses/?since=0"):
    return client.get(path, headers=headers)


def test_signed_request_from_a_partner_is_answered(client):
    _partner()
    response = _get(client, _signed_headers())
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": 0, "more": False}


def test_unsigned_request_is_refused(client):
    _partner()
    response = client.get("/alliance/api/courses/?since=0")
    assert (response.status_code, response.json()["code"]) == (401, "signature_missing")


def test_forged_signature_is_refused(client):
    _partner()
    headers = _signed_headers()
    response = _get(client, headers, "/alliance/api/courses/?since=5")  # the signature covers since=0
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_signature_by_another_key_claiming_ours_is_refused(client):
    _partner()
    headers = _signed_headers(key=Ed25519PrivateKey.generate())
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        headers["Signature-Input"].split('keyid="')[1].split('"')[0], keys.key_id()
    )
    response = _get(client, headers)
    assert (response.status_code, response.json()["code"]) == (401, "signature_invalid")


def test_key_of_no_partner_is_refused(client):
    _partner()
    response = _get(client, _signed_headers(key=Ed25519PrivateKey.generate()))
    assert (response.status_code, response.json()["code"]) == (401, "unknown_partner")


def test_replayed_request_is_refused(client):
    _partner()
    headers = _signed_headers()
    first = _get(client, headers)
    second = _get(client, headers)
    assert (first.status_code, second.status_code, second.json()["code"]) == (200, 401, "replayed")


def test_stale_signature_is_refused(client, settings):
    _partner()
    created = timezone.now() - dt.timedelta(seconds=settings.ALLIANCE_SIGNATURE_WINDOW_SECONDS + 60)
    response = _get(client, _signed_headers(created=created))
    assert (response.status_code, response.json()["code"]) == (401, "signature_expired")


def test_suspended_partner_is_refused(client):
    _partner(status=Partner.Status.SUSPENDED)
    response = _get(client, _signed_headers())
    assert (response.status_code, response.json()["code"]) == (403, "partner_suspended")


def test_nonces_older_than_twice_the_window_are_pruned(settings):
    partner = _partner()
    old = timezone.now() - dt.timedelta(seconds=3 * settings.ALLIANCE_SIGNATURE_WINDOW_SECONDS)
    SeenNonce.objects.create(partner=partner, nonce="old", seen_at=old)
    SeenNonce.objects.create(partner=partner, nonce="new")
    assert signing.nonces_prune() == 1
    assert list(SeenNonce.objects.values_list("nonce", flat=True)) == ["new"]


def test_partner_key_that_is_not_ed25519_is_refused():
    partner = Partner(name="眉山市", base_url="http://x.example", public_key="ed25519:abc")
    with pytest.raises(Exception) as info:
        partner.full_clean()
    assert "public_key" in info.value.message_dict


def test_key_file_is_made_once_and_kept(settings, tmp_path):
    settings.ALLIANCE_PRIVATE_KEY = ""
    settings.ALLIANCE_KEY_FILE = tmp_path / "k" / "alliance.key"
    first = keys.public_key_text()
    assert (first, oct(settings.ALLIANCE_KEY_FILE.stat().st_mode & 0o777)) == (keys.public_key_text(), "0o600")
