from datetime import UTC, datetime

import pytest

from procore_xero.staging.timestamps import parse_api_timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/Date(1552262400000+0000)/", datetime(2019, 3, 11, tzinfo=UTC)),
        ("/Date(1550793549320+1300)/", datetime(2019, 2, 21, 23, 59, 9, 320000, tzinfo=UTC)),
        ("/Date(1552262400000)/", datetime(2019, 3, 11, tzinfo=UTC)),
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2019-02-21T16:29:47.96-08:00", datetime(2019, 2, 22, 0, 29, 47, 960000, tzinfo=UTC)),
        ("2017-08-14T01:18:26.74", datetime(2017, 8, 14, 1, 18, 26, 740000, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_parses_iso_and_xero_dates_to_aware_utc(value: str | None, expected: datetime | None) -> None:
    parsed = parse_api_timestamp(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", ["yesterday", "/Date(abc)/", 1552262400000])
def test_rejects_other_formats(value: object) -> None:
    with pytest.raises(ValueError, match="timestamp"):
        parse_api_timestamp(value)  # type: ignore[arg-type]
