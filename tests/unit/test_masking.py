from __future__ import annotations

import pytest

from router.masking import mask_number


@pytest.mark.parametrize(("number", "masked"), [
    ("13812345678", "138****5678"),
    ("+8613812345678", "+86****5678"),
    ("021-6234 5678", "021****5678"),
    ("110", "***"),
    ("12345678", "********"),
    ("", "-"),
    (None, "-"),
    ("anonymous", "-"),
    ("1" * 256, "111****1111"),
])
def test_numbers_are_masked_keeping_three_head_and_four_tail_digits(
    number: str | None, masked: str
) -> None:
    assert mask_number(number) == masked
