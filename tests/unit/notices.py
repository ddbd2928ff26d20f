"""The State Council's holiday notices, typed by hand from the notices themselves: the test
data the calendar's sources are checked against (not derived from any package).

* 2025: 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号 (12 November 2024)
* 2026: 国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号 (November 2025)

Each entry: (first day off, last day off, make-up working days), as the notice lists them.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["NOTICES", "STATUTORY", "days_off", "makeup_days"]

D = dt.date

NOTICES: dict[int, list[tuple[dt.date, dt.date, tuple[dt.date, ...]]]] = {
    2025: [
        (D(2025, 1, 1), D(2025, 1, 1), ()),                               # 元旦, 不调休
        (D(2025, 1, 28), D(2025, 2, 4), (D(2025, 1, 26), D(2025, 2, 8))),  # 春节, 共8天
        (D(2025, 4, 4), D(2025, 4, 6), ()),                               # 清明节
        (D(2025, 5, 1), D(2025, 5, 5), (D(2025, 4, 27),)),                # 劳动节, 共5天
        (D(2025, 5, 31), D(2025, 6, 2), ()),                              # 端午节
        (D(2025, 10, 1), D(2025, 10, 8), (D(2025, 9, 28), D(2025, 10, 11))),  # 国庆节、中秋节
    ],
    2026: [
        (D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 4),)),                 # 元旦, 共3天
        (D(2026, 2, 15), D(2026, 2, 23), (D(2026, 2, 14), D(2026, 2, 28))),  # 春节, 共9天
        (D(2026, 4, 4), D(2026, 4, 6), ()),                               # 清明节
        (D(2026, 5, 1), D(2026, 5, 5), (D(2026, 5, 9),)),                 # 劳动节, 共5天
        (D(2026, 6, 19), D(2026, 6, 21), ()),                             # 端午节
        (D(2026, 9, 25), D(2026, 9, 27), ()),                             # 中秋节
        (D(2026, 10, 1), D(2026, 10, 7), (D(2026, 9, 20), D(2026, 10, 10))),  # 国庆节, 共7天
    ],
}

# The law's full-day holidays (全国年节及纪念日放假办法, revised 2024, in force from 2025):
# New Year's Day; New Year's Eve and days 1-3 of the first lunar month; Qingming; 1-2 May;
# the 5th of the 5th lunar month; the 15th of the 8th; 1-3 October. Lunar and solar-term
# dates from the published almanac (2025: 春节 29 Jan, 清明 4 Apr, 端午 31 May, 中秋 6 Oct;
# 2026: 春节 17 Feb, 清明 5 Apr, 端午 19 Jun, 中秋 25 Sep; 2027: 春节 6 Feb, 清明 5 Apr,
# 端午 9 Jun, 中秋 15 Sep).
STATUTORY: dict[int, set[dt.date]] = {
    2025: {D(2025, 1, 1), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31),
           D(2025, 4, 4), D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 31), D(2025, 10, 1),
           D(2025, 10, 2), D(2025, 10, 3), D(2025, 10, 6)},
    2026: {D(2026, 1, 1), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19),
           D(2026, 4, 5), D(2026, 5, 1), D(2026, 5, 2), D(2026, 6, 19), D(2026, 9, 25),
           D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)},
    2027: {D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8),
           D(2027, 4, 5), D(2027, 5, 1), D(2027, 5, 2), D(2027, 6, 9), D(2027, 9, 15),
           D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)},
}


def days_off(year: int) -> set[dt.date]:
    out = set()
    for first, last, _ in NOTICES[year]:
        day = first
        while day <= last:
            out.add(day)
            day += dt.timedelta(days=1)
    return out


def makeup_days(year: int) -> set[dt.date]:
    return {day for _, _, makeup in NOTICES[year] for day in makeup}
