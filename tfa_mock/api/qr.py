"""The enrollment QR images at ``/qr/<32 hex>.png`` (API.md §3.6).

Not an API route: no key, no rate limit, no fault, not journaled; served as
``image/png`` until the user is deleted, else 404/60000. The image is drawn from the
stored otpauth URI on each request (segno, error level M, border 4).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response

from ..wire import errors
from ._endpoint import backend

__all__ = ["BORDER", "bp", "png"]

bp = Blueprint("qr", __name__)

BORDER = 4


def png(uri: str, size: int) -> bytes:
    """The QR code of *uri* as PNG, *size* // its width in modules per module.

    The width counts the quiet zone (border), so the image is never larger than
    *size* pixels (API.md §3.6 leaves open whether the border counts).
    """
    import segno  # here, not at start-up: few runs ever draw a QR code

    # boost_error=False keeps level M exactly; micro=False: authenticators read
    # only regular QR codes.
    code = segno.make(uri, error="m", boost_error=False, micro=False)
    width, _ = code.symbol_size(scale=1, border=BORDER)
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, size // width), border=BORDER)
    return out.getvalue()


@bp.route("/qr/<string:qr_id>.png", methods=["GET"])
def qr_image(qr_id: str) -> Response:
    """GET /qr/<id>.png."""
    image = backend().qr_image(qr_id)
    if image is None:
        raise errors.NotFound()
    return Response(png(image.uri, image.size), 200, content_type="image/png")
