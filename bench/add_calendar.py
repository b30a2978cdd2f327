#!/usr/bin/env python3
"""Give a generated site the calendar rules of a real firm, for bench/site.sh CALENDAR=1.

    add_calendar.py SITE

Appends to SITE/hundred.toml a [calendar] with England and Wales bank holidays for 2026 and
2027 (Monday to Friday, shift "next": the defaults), and adds SITE/journey/900-monthly.md, a
client-visible monthly check-in from day 30 for a year (`repeat: every 1 month until day
365`, twelve occurrences a client), so every client's journey has repeats, moved dates and
closed days. Same site, same bytes; run once on a fresh site (bench/site.sh does).
Standard library only.
"""
import pathlib
import sys

HOLIDAYS = [
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
    "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
    "2027-12-27", "2027-12-28",
]

MONTHLY = """---
title: Monthly check-in
day: 30
repeat:
  every: "1 month"
  until: "day 365"
stage: customer
channel: call
owner: account-lead
visibility: client
portal: "A short monthly call: what went well, what did not, what comes next."
---
Hi {{ client.contacts[0].name }}, this is {{ owner.name }} from {{ firm.name }}: check-in
{{ touchpoint.occurrence }}, on {{ touchpoint.date_long }}.

Ask what went well this month, what did not, and what is coming up.
"""


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    site = pathlib.Path(sys.argv[1])
    settings = site / "hundred.toml"
    text = settings.read_text(encoding="utf-8")
    if "[calendar]" in text:
        sys.exit(f"{settings} already has a [calendar]: start from a fresh site")
    holidays = ", ".join(f'"{d}"' for d in HOLIDAYS)
    settings.write_text(
        text.rstrip("\n") + f'\n\n[calendar]\nworking_days = ["mon", "tue", "wed", "thu", "fri"]\n'
        f'shift = "next"\nholidays = [{holidays}]\n',
        encoding="utf-8",
    )
    (site / "journey" / "900-monthly.md").write_text(MONTHLY, encoding="utf-8")


if __name__ == "__main__":
    main()
