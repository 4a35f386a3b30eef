"""Seeds the slots part of scripts/bench: a coach with business hours (Mon-Fri 09:00-17:00,
Europe/Berlin, 15-minute buffer) whose next weeks are full: COUNT one-hour sessions booked
through the API from the first Monday on or after START (a January date, so the weeks stay in
winter time), six a day 75 minutes apart (the hour and its buffer), five days a week.

Usage: slots_seed.py BASE_URL ADMIN_TOKEN COACH_TOKEN COACH START COUNT
Prints the Monday it started on; exits 1 when a booking is refused.
"""

import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone


def call(base, method, path, token, body):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method=method,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def main():
    base, admin, coach_token, coach, start, count = sys.argv[1:]
    windows = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in ("mon", "tue", "wed", "thu", "fri")]
    call(base, "PUT", f"/v1/coaches/{coach}/settings", coach_token, {
        "timezone": "Europe/Berlin", "availability": windows, "bufferMinutes": 15,
        "minNoticeMinutes": 0,
        "prices": {"60": {"amount": 9000, "currency": "EUR"}}})
    monday = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(timezone.utc)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    booked = 0
    day = 0
    while booked < int(count):
        date = monday + timedelta(days=day)
        day += 1
        if date.weekday() >= 5:
            continue
        # 09:00 Berlin is 08:00Z in winter; the last session ends 15:15Z, within 17:00 Berlin.
        for n in range(6):
            if booked == int(count):
                break
            at = date.replace(hour=8, minute=0, second=0) + timedelta(minutes=75 * n)
            status = call(base, "POST", "/v1/sessions", admin, {
                "kind": "paid", "coachId": coach, "clientId": f"slots-client-{booked % 40}",
                "startsAt": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "durationMinutes": 60})
            if status != 201:
                raise SystemExit(f"booking {at} answered {status}")
            booked += 1
    print(monday.strftime("%Y-%m-%dT%H:%M:%SZ"))


main()
