"""Uploaded PDF documents: recognised by their first bytes, never by their name or declared type."""

MAX_PDF_BYTES = 10 * 1024 * 1024


def is_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"
