"""HTTP Message Signatures (RFC 9421, Ed25519, with the maintained ``http-message-signatures`` library) on every
request between portals.

A request covers its method, its full target URI, its Content-Digest (RFC 9530, of the empty body for a GET) and
its Date; the signature parameters carry ``created``, a random ``nonce``, the key id (the thumbprint of the sender's
public key) and our application tag. The receiver refuses, each with its own code: no signature, a key no partner
holds, a signature that does not verify, one created outside the window, a nonce already used (a replay) and a
suspended partner.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from email.utils import formatdate

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, InvalidSignature, algorithms

from . import keys
from .models import Partner, SeenNonce, key_id_for, public_key_bytes

TAG = "djsz-alliance"
COVERED = ("@method", "@target-uri", "content-digest", "date")
NONCE_MAX = 64


class Refusal(Exception):
    """A request between portals that is refused: an HTTP status, a stable code and a message."""

    def __init__(self, code: str, message, status: int = 401) -> None:
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status


class _SigningKey:
    def __init__(self, key) -> None:
        self.key = key

    def resolve_private_key(self, key_id: str):
        return self.key

    def resolve_public_key(self, key_id: str):  # pragma: no cover - signing only
        return None


def sign(
    prepared: requests.PreparedRequest,
    *,
    nonce: str | None = None,
    created: dt.datetime | None = None,
    key: Ed25519PrivateKey | None = None,
) -> requests.PreparedRequest:
    """Sign an outgoing request in place with our key and a fresh nonce (the tests give their own nonce, time or
    key to make replays, stale and forged requests)."""
    key = key or keys.private_key()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    prepared.headers["Date"] = formatdate(usegmt=True)
    body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_SigningKey(key)).sign(
        prepared,
        key_id=key_id_for(raw),
        created=created,
        nonce=nonce or secrets.token_urlsafe(24),
        tag=TAG,
        covered_component_ids=COVERED,
        body=body,
    )
    return prepared


def signed_get(url: str, *, stream: bool = False) -> requests.Response:
    """GET ``url`` from a partner portal, signed (raises requests.RequestException when it cannot be reached)."""
    prepared = sign(requests.Request("GET", url, headers={"Accept": "application/json"}).prepare())
    with requests.Session() as session:
        return session.send(prepared, timeout=settings.ALLIANCE_TIMEOUT_SECONDS, stream=stream, allow_redirects=False)


def signed_post(url: str, payload: dict) -> requests.Response:
    """POST ``payload`` as JSON to a partner portal, signed (its Content-Digest covers the body)."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    prepared = sign(requests.Request("POST", url, data=body, headers=headers).prepare())
    with requests.Session() as session:
        return session.send(prepared, timeout=settings.ALLIANCE_TIMEOUT_SECONDS, allow_redirects=False)


@dataclass
class _Incoming:
    method: str
    url: str
    headers: dict


class _PartnerKeys:
    """Finds the partner whose public key has the signature's key id (remembered for the checks after)."""

    def __init__(self) -> None:
        self.partner: Partner | None = None

    def resolve_public_key(self, key_id: str):
        self.partner = Partner.objects.filter(key_id=key_id).first()
        if self.partner is None:
            return None
        return Ed25519PublicKey.from_public_bytes(public_key_bytes(self.partner.public_key))

    def resolve_private_key(self, key_id: str):  # pragma: no cover - verification only
        raise NotImplementedError


def _target_uri(request: HttpRequest) -> str:
    # Behind a proxy the URI partners sign is our public address (ALLIANCE_BASE_URL), not what gunicorn sees.
    base = settings.ALLIANCE_BASE_URL.rstrip("/")
    return base + request.get_full_path() if base else request.build_absolute_uri()


def verify(request: HttpRequest) -> Partner:
    """The partner that signed ``request``, or Refusal with the reason's code."""
    if "Signature" not in request.headers or "Signature-Input" not in request.headers:
        raise Refusal("signature_missing", _("This address answers only requests signed by a partner portal."))
    window = dt.timedelta(seconds=settings.ALLIANCE_SIGNATURE_WINDOW_SECONDS)
    resolver = _PartnerKeys()
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
    verifier.max_clock_skew = window
    message = _Incoming(method=request.method, url=_target_uri(request), headers=dict(request.headers.items()))
    try:
        result = verifier.verify(message, max_age=None, expect_tag=TAG, require_components=COVERED, body=request.body)[
            0
        ]
    except InvalidSignature as exc:
        text = str(exc)
        if "future" in text or "expires" in text:
            raise Refusal("signature_expired", _("The signature was made too long ago (or in the future).")) from None
        if resolver.partner is None and "verification key" in text:
            raise Refusal("unknown_partner", _("No partner portal is registered with this key.")) from None
        raise Refusal("signature_invalid", _("The signature does not verify.")) from None
    created = dt.datetime.fromtimestamp(result.parameters["created"], tz=dt.UTC)
    if abs(timezone.now() - created) > window:
        raise Refusal("signature_expired", _("The signature was made too long ago (or in the future)."))
    partner = resolver.partner
    if partner is None:  # pragma: no cover - verify() cannot succeed without a key
        raise Refusal("unknown_partner", _("No partner portal is registered with this key."))
    if not partner.is_active:
        raise Refusal("partner_suspended", _("This partner portal is suspended."), status=403)
    nonce = result.nonce
    if not isinstance(nonce, str) or not nonce or len(nonce) > NONCE_MAX:
        raise Refusal("nonce_missing", _("The signature carries no usable nonce."))
    try:
        with transaction.atomic():
            SeenNonce.objects.create(partner=partner, nonce=nonce)
    except IntegrityError:
        raise Refusal("replayed", _("This request was already received once (a replay).")) from None
    return partner


def nonces_prune(*, now=None) -> int:
    """Forget nonces older than twice the window: a request that old is refused as expired anyway."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=2 * settings.ALLIANCE_SIGNATURE_WINDOW_SECONDS)
    return SeenNonce.objects.filter(seen_at__lt=cutoff).delete()[0]
