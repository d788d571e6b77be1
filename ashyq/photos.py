"""Photos that people upload (a violation's evidence, a vaccination document): checked
to be a real image and re-encoded without metadata, so that no EXIF position, camera
serial or embedded script is ever stored or served again."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_SIDE = 2000


def clean_photo(upload) -> ContentFile:
    """A real image, turned upright as its EXIF orientation says, re-encoded as JPEG
    (quality 85) without metadata, at most 2000 px a side; a file over 8 MB or not an
    image is refused with a ValidationError."""
    name = getattr(upload, "name", "photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("%(name)s is larger than 8 MB.") % {"name": name}, code="photo_size")
    try:
        upload.seek(0)
        Image.open(upload).verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            # A phone writes "turn 90°" in EXIF instead of turning the pixels: turn them
            # before the EXIF goes, or a portrait photo is stored lying on its side.
            upright = ImageOps.exif_transpose(image)
            picture = upright.convert("RGB")  # a new image: no EXIF, no ICC, no comments
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("%(name)s is not an image.") % {"name": name}, code="photo_invalid") from exc
    picture.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="photo.jpg")
