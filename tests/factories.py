"""Small builders for test data: plain functions with sensible defaults, one place to change a model's shape."""

from __future__ import annotations

import itertools
from decimal import Decimal

from instructors.models import Instructor, Region, Specialty, TeachingGroup, TeachingNorm, User
from instructors.validators import id_check_digit

_seq = itertools.count(1)


def region(
    *, name: str | None = None, level: int = Region.Level.COUNTY, parent: Region | None = None, code: str | None = None
) -> Region:
    n = next(_seq)
    return Region.objects.create(name=name or f"地区{n}", code=code or f"R{n:06d}", level=level, parent=parent)


def region_tree() -> dict[str, Region]:
    """A province with one city and two counties, each with a township and a village."""
    province = region(name="嘉陵省", level=Region.Level.PROVINCE)
    city = region(name="嘉州市", level=Region.Level.CITY, parent=province)
    county_a = region(name="嘉城区", parent=city)
    county_b = region(name="平羌县", parent=city)
    town_a = region(name="青龙镇", level=Region.Level.TOWNSHIP, parent=county_a)
    return {
        "province": province,
        "city": city,
        "county_a": county_a,
        "county_b": county_b,
        "town_a": town_a,
        "village_a": region(name="白马村", level=Region.Level.VILLAGE, parent=town_a),
    }


def id_number(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    first17 = f"511102{1970 + n % 30}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def phone(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return f"139{n:08d}"


def user(
    *, username: str | None = None, role: str = User.Role.INSTRUCTOR, region: Region | None = None, **extra
) -> User:
    account = User(username=username or f"user{next(_seq)}", role=role, region=region, **extra)
    account.set_password("pw-secret-123")
    account.save()
    return account


def organizer(region: Region, **extra) -> User:
    return user(role=User.Role.ORGANIZER, region=region, **extra)


def admin_user() -> User:
    return user(role=User.Role.ADMIN, is_staff=True, is_superuser=True)


def instructor(
    *,
    region: Region,
    name: str = "张三",
    tier: str = Instructor.Tier.COUNTY,
    status: str = Instructor.Status.ACTIVE,
    user: User | None = None,
    **extra,
) -> Instructor:
    n = next(_seq)
    fields = {
        "name": name,
        "gender": Instructor.Gender.MALE,
        "id_number": id_number(n),
        "phone": phone(n),
        "employer": "嘉城区委党校",
        "tier": tier,
        "region": region,
        "status": status,
        "user": user,
    }
    fields.update(extra)
    return Instructor.objects.create(**fields)


def group(*, region: Region, name: str | None = None, leader: Instructor | None = None) -> TeachingGroup:
    return TeachingGroup.objects.create(name=name or f"教研组{next(_seq)}", region=region, leader=leader)


def specialty(name: str | None = None) -> Specialty:
    return Specialty.objects.create(name=name or f"专长{next(_seq)}")


def norm(
    *, year: int, tier: str = Instructor.Tier.COUNTY, lectures: int = 8, hours: str = "16", quality: str = "70"
) -> TeachingNorm:
    return TeachingNorm.objects.create(
        year=year, tier=tier, min_lectures=lectures, min_hours=Decimal(hours), min_quality=Decimal(quality)
    )


def jpeg_upload(name: str = "face.jpg", size: tuple[int, int] = (120, 160)):
    """A small real JPEG as a browser would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
