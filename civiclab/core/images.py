"""Uploaded images made safe to publish: the format is read from the content (not the name or the declared
type), the size and pixel count are bounded, and the picture is re-encoded, which drops metadata such as
the GPS position a phone writes into its photos."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a bound below Pillow's bomb check, so huge images get a clear error
MAX_SIDE = 2400  # larger pictures are scaled down: pages stay light
FORMATS = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG"), "WEBP": ("webp", "WEBP")}


def clean_image(upload) -> ContentFile:
    """A re-encoded copy of an uploaded JPEG, PNG or WebP image, with a random name."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."))
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
        if width * height > MAX_PIXELS:
            raise ValidationError(_("The image has too many pixels."))
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            extension, encoder = FORMATS[kind]
            if encoder == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, encoder, quality=85) if encoder != "PNG" else image.save(
                out, encoder, optimize=True
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("This file is not an image that can be read.")) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
