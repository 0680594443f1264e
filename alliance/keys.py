"""Our portal's Ed25519 key pair. The private key never enters the database: it comes from ALLIANCE_PRIVATE_KEY
(production, from the secret store) or from the file ALLIANCE_KEY_FILE (var/alliance_ed25519.key), made once per
checkout with mode 0600 the way var/secret_key is. The public key is what an administrator gives to partners."""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import PUBLIC_KEY_PREFIX, key_id_for


def _load(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("ALLIANCE_PRIVATE_KEY is not an Ed25519 key")
        return key
    try:
        seed = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("the alliance private key is neither PEM nor base64") from exc
    if len(seed) != 32:
        raise ImproperlyConfigured("the alliance private key must be 32 bytes (base64) or a PEM Ed25519 key")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _key_file(path: Path) -> str:
    """The key kept in ``path``, made first (atomically: concurrent processes all keep the one written first)."""
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(seed).decode() + "\n")
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return path.read_text()


@lru_cache(maxsize=4)
def _private_key(env_value: str, path: str) -> Ed25519PrivateKey:
    return _load(env_value or _key_file(Path(path)))


def private_key() -> Ed25519PrivateKey:
    """Our signing key."""
    return _private_key(settings.ALLIANCE_PRIVATE_KEY, str(settings.ALLIANCE_KEY_FILE))


def public_key_raw() -> bytes:
    return private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_text() -> str:
    """Our public key as partners register it: ``ed25519:<base64>``."""
    return PUBLIC_KEY_PREFIX + base64.b64encode(public_key_raw()).decode()


def key_id() -> str:
    """The key id our requests carry: the thumbprint of our public key (the partner finds us by it)."""
    return key_id_for(public_key_raw())
