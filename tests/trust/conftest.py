"""The trust suite's world, built once per module inside a transaction rolled back at the module's end."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.trust import world as world_builder


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end (tests only read it)."""
    from django.conf import settings

    media_root, settings.MEDIA_ROOT = settings.MEDIA_ROOT, str(tmp_path_factory.mktemp("media"))
    private_root, settings.PRIVATE_MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT, str(tmp_path_factory.mktemp("private"))
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {
                **world_builder.build(),
                "media_root": settings.MEDIA_ROOT,
                "private_root": settings.PRIVATE_MEDIA_ROOT,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = media_root
            settings.PRIVATE_MEDIA_ROOT = private_root


@pytest.fixture
def world_media(world, settings):
    # conftest points MEDIA_ROOT at a fresh folder per test; the courseware of the world lives in the module's.
    settings.MEDIA_ROOT = world["media_root"]
    settings.PRIVATE_MEDIA_ROOT = world["private_root"]
