"""Checks and cleans uploaded pictures (instructor photos, course covers) by decoding them, never by file name."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (240, 320)


def clean_image_upload(upload, *, max_bytes: int | None = None, max_side: int | None = None) -> ContentFile:
    """Validate an uploaded picture and return a re-encoded copy without EXIF or other metadata.

    Refuses anything that is not a real JPEG, PNG or WebP, files over the size limit, pictures larger than the
    pixel limit and decompression bombs (the header is read before any pixel is decoded).
    """
    max_bytes = max_bytes or settings.PHOTO_MAX_BYTES
    max_side = max_side or settings.PHOTO_MAX_PIXELS_SIDE
    if upload.size > max_bytes:
        raise ValidationError(
            _("The picture is %(size).1f MB; at most %(limit)d MB is allowed.")
            % {"size": upload.size / 1024 / 1024, "limit": max_bytes // 1024 // 1024},
            code="too_big",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(_("Only JPEG, PNG or WebP pictures are accepted."), code="format")
                if width > max_side or height > max_side:
                    raise ValidationError(
                        _("The picture is %(w)d×%(h)d pixels; at most %(max)d×%(max)d is allowed.")
                        % {"w": width, "h": height, "max": max_side},
                        code="too_large",
                    )
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if fmt == "JPEG":
                    image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                elif fmt == "PNG":
                    image.save(out, "PNG", optimize=True)
                else:
                    image.save(out, "WEBP", quality=88)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The file is not a readable JPEG, PNG or WebP picture."), code="invalid") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("The picture is damaged or truncated and cannot be read."), code="damaged") from None
    finally:
        upload.seek(0)
    base = (getattr(upload, "name", "") or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0][:40] or "image"
    return ContentFile(out.getvalue(), name=f"{base}.{ALLOWED_FORMATS[fmt]}")


def make_thumbnail(source) -> ContentFile:
    """A small JPEG for lists and cards."""
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=82)
    return ContentFile(out.getvalue(), name="thumb.jpg")
