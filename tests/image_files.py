"""Image files made in memory for the tests of uploads, renditions and pages."""

import io
import struct
import zlib

import PIL.Image
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(size=(1600, 900), mode="RGB"):
    """A landscape in flat colours: sky, sun, hills (pleasant enough for a screenshot)."""
    width, height = size
    image = PIL.Image.new("RGB", size, (120, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (width * 0.68, height * 0.12, width * 0.82, height * 0.12 + width * 0.14), (250, 200, 80)
    )
    hills = [(0, height), (0, height * 0.6), (width * 0.45, height * 0.45), (width, height * 0.7)]
    draw.polygon([*hills, (width, height)], (70, 130, 80))
    draw.rectangle((0, height * 0.85, width, height), (40, 90, 60))
    return image.convert(mode) if mode != "RGB" else image


def image_bytes(format="JPEG", size=(1600, 900), mode="RGB", **save_options):
    output = io.BytesIO()
    picture(size, mode).save(output, format=format, **save_options)
    return output.getvalue()


def jpeg_with_location(size=(800, 600), orientation=None):
    """A JPEG whose EXIF holds where it was taken (the Dam in Amsterdam) and the camera."""
    exif = PIL.Image.Exif()
    exif[0x010F] = "Voorbeeldcamera"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 22.0, 23.0), 3: "E", 4: (4.0, 53.0, 35.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return image_bytes("JPEG", size, exif=exif.tobytes())


def png_header_claiming(width, height):
    """A tiny PNG whose header claims width × height pixels (none of them follow)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
