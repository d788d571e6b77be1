"""Log filter that keeps personal identifiers out of every log line (R-ID-5)."""

import logging
import re

# An IIN or BIN is 12 digits; passport numbers are letters and digits, 7 to 9 long.
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{8}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """Replace every 12-digit number in `text` by ******1234."""
    return _TWELVE_DIGITS.sub(r"******\1", text)


class MaskIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True
