"""Project pictures: read from their content, bounded, re-encoded without metadata, with alt text."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civiclab.budgeting import actions
from civiclab.budgeting.models import Project, ProjectImage
from tests.conftest import make_budget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(fmt="JPEG", size=(40, 30), exif=None, name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    image.save(out, fmt, **({"exif": exif} if exif is not None else {}))
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 28.0, 11.0)}  # GPSInfo: where the photo was taken
    exif[0x010F] = "PhoneMaker"
    return exif.tobytes()


@pytest.fixture
def ideas(aurora):
    return make_budget(aurora, slug="ideas", opens_in=5, closes_in=12, projects=())


def submit(budget, who, **extra):
    return actions.do_submit_project(budget, who, title="Swings", description="For kids", cost=10, **extra)


def test_a_photo_is_stored_re_encoded_without_its_location(ideas, carol):
    upload = picture(exif=gps_exif())
    assert b"PhoneMaker" in upload.read()
    upload.seek(0)
    project = submit(ideas, carol, image=upload, image_alt="Children on the old swings")
    stored = ProjectImage.objects.get(project=project)
    assert stored.alt_text == "Children on the old swings"
    assert stored.image.name.endswith(".jpg") and "photo" not in stored.image.name
    data = stored.image.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as saved:
        assert saved.format == "JPEG" and not saved.getexif().get(0x8825)


def test_an_html_file_named_like_an_image_is_refused(ideas, carol):
    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(ValidationError, match="not an image"):
        submit(ideas, carol, image=fake, image_alt="x")
    assert not Project.objects.exists()


def test_an_image_needs_a_text_alternative(ideas, carol):
    with pytest.raises(ValidationError) as exc:
        submit(ideas, carol, image=picture(), image_alt=" ")
    assert "image_alt" in exc.value.error_dict
    assert not Project.objects.exists()


def test_other_formats_and_oversized_files_are_refused(ideas, carol, monkeypatch):
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        submit(ideas, carol, image=picture("GIF", name="a.gif"), image_alt="x")
    monkeypatch.setattr("civiclab.core.images.MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="larger than 5 MB"):
        submit(ideas, carol, image=picture(size=(400, 400)), image_alt="x")


def test_large_pictures_are_scaled_down(ideas, carol):
    project = submit(ideas, carol, image=picture("PNG", size=(3000, 1500), name="big.png"), image_alt="Park")
    with Image.open(ProjectImage.objects.get(project=project).image) as saved:
        assert saved.size == (2400, 1200) and saved.format == "PNG"


def test_the_project_page_shows_the_picture_with_its_description(client, ideas, carol):
    client.force_login(carol)
    response = client.post(
        reverse("budgeting:project_new", args=["aurora", "ideas"]),
        {
            "title": "Swings",
            "description": "For kids",
            "cost": "10",
            "image": picture(),
            "image_alt": "Old swings",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'alt="Old swings"' in page and "/media/budget-projects/" in page


def test_a_project_takes_up_to_three_pictures_each_with_its_description(client, ideas, carol):
    client.force_login(carol)
    url = reverse("budgeting:project_new", args=["aurora", "ideas"])
    fields = {"title": "Swings", "description": "For kids", "cost": "10"}
    missing = client.post(
        url, {**fields, "image": picture(), "image_alt": "Old swings", "image_2": picture()}
    )
    assert missing.status_code == 400
    assert "image_alt_2" in missing.context["form"].errors
    assert not Project.objects.filter(title="Swings").exists()
    response = client.post(
        url,
        {
            **fields,
            "image": picture(),
            "image_alt": "Old swings",
            "image_2": picture("PNG", name="b.png"),
            "image_alt_2": "The sandpit",
            "image_3": picture(name="c.jpg"),
            "image_alt_3": "The gate",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    for alt in ("Old swings", "The sandpit", "The gate"):
        assert f'alt="{alt}"' in page


def test_a_bad_second_picture_is_named_in_the_form(client, ideas, carol):
    client.force_login(carol)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        reverse("budgeting:project_new", args=["aurora", "ideas"]),
        {"title": "Swings", "description": "For kids", "cost": "10", "image_2": fake, "image_alt_2": "x"},
    )
    assert response.status_code == 400
    assert "image_2" in response.context["form"].errors
