"""QR codes as small inline SVG (segno, pure Python): no image files, no JavaScript."""

import io

import segno


def qr_svg(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, svgclass="qr", lineclass=None, omitsize=False
    )
    return buffer.getvalue().decode()
