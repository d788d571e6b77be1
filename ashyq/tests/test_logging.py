"""R-ID-5: log lines never carry a 12-digit identifier."""

import logging

from ashyq.logging import MaskIdentifiersFilter, mask


def test_mask_keeps_the_last_four_digits():
    assert mask("IIN 900101300125 checked") == "IIN ******0125 checked"


def test_mask_leaves_other_numbers_alone():
    assert mask("phone +77011234567, 13 digits 1234567890123, 11 digits 12345678901") == (
        "phone +77011234567, 13 digits 1234567890123, 11 digits 12345678901"
    )


def test_filter_masks_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "look-up of %s", ("900101300125",), None)
    try:
        raise ValueError("bad 850515400128")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    MaskIdentifiersFilter().filter(record)
    assert record.getMessage() == "look-up of ******0125"
    assert "850515400128" not in record.exc_text and "******0128" in record.exc_text
