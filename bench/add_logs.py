#!/usr/bin/env python3
"""Add a deterministic journey log to every client of a generated site.

    add_logs.py SITE --entries N [--seed S] [--today YYYY-MM-DD]

Reads the site that /work/shared/bench/gen_site.py writes (clients/*.yaml, team/*.yaml,
journey/*.md) and writes SITE/log/<client>.yaml with N entries per client, in the format
`hundred log` writes (fields in the documented order, oldest entry first):

  - mostly `done` entries for planned touchpoints whose date (start + day - 1) is on or
    before the build date, some a day or three late;
  - some `moved` (with `to:`), each followed by a `done` on the new date;
  - some `skipped`;
  - some unplanned contacts (`title:` and a `channel:` the journey uses), and unplanned
    entries fill the rest when a client has fewer planned touchpoints in range than N;
  - `by:` a team id from the client's `team:` map, `with:` the client's contact names,
    `score:` 0-10 and `mood:` on some, a short markdown `note:` on most.

No touchpoint is logged done twice, every date is on/after the client's start and on/before
the build date (`to:` included), and a client who starts after the build date gets `[]`.
Same arguments and same site, same bytes. Standard library only: the small YAML subset
gen_site.py writes is read with regular expressions.
"""
import argparse
import datetime as dt
import json
import pathlib
import random
import re
import sys

BUILD_DATE = dt.date(2026, 11, 23)  # bench/site.sh builds with --today 2026-11-23

# Channels of unplanned contacts, with their weights; only those the journey uses are kept (a
# channel the journey does not use is a warning in `hundred check`).
UNPLANNED_CHANNELS = {"call": 8, "meeting": 6, "email": 6, "note": 2, "gift": 1, "survey": 1}
TITLES = {
    "call": ["Quick call about the invoice", "Called to check the new rota", "Call about a late delivery",
             "Rang to say thanks for the referral", "Catch-up call after their holiday"],
    "meeting": ["Coffee at their office", "Lunch with the owner", "Walked the new site together",
                "Met at the trade fair", "Dropped by with the revised plan"],
    "email": ["Answered a question about reporting", "Sent the slides they asked for",
              "Replied to a billing question", "Shared an article on their sector"],
    "note": ["Handwritten thank-you card", "Congratulations on the new premises",
             "Note after their team award"],
    "gift": ["Sent flowers for the opening", "Small gift for their anniversary",
             "Book on their favourite topic"],
    "survey": ["Quick pulse survey after the change", "Follow-up survey on support"],
}
DONE_NOTES = [
    "Went well. They want the monthly summary by email.",
    "Asked about what they care about most; wrote it up in the client file.",
    "They were **very** positive about the handoff.",
    "Some worry about cost; follow up with the options.",
    "Confirmed next steps:\n- send the proposal\n- book the review",
    "Short one, they were busy. Try again next week.",
    "New person joined their team; introduce our account lead.",
    "Mentioned a friend who might need us. *Referral ask* next time.",
    "All on track.",
    "Invoice question sorted on the call.\nThey prefer calls to email.",
]
SKIPPED_NOTES = [
    "Not needed: we covered it in the last meeting.",
    "They asked for fewer emails this quarter.",
    "Owner away for a month; skipped rather than pile up.",
]
MOVED_NOTES = [
    "They asked to push it a week.",
    "Clashed with their busy season; moved.",
    "Our lead was off sick; rebooked.",
]
UNPLANNED_NOTES = [
    "Unplanned, but useful: they raised a new project.",
    "They called us first. Good sign.",
    "Small thing, but they noticed.\nMention it at the next review.",
    "Heard about a problem with their supplier; offered help.",
]


def read_text(path):
    return path.read_text(encoding="utf-8")


def scalar(s):
    """A YAML scalar: plain when it surely reads back as the same string, else double-quoted."""
    if (re.fullmatch(r"[A-Za-z][A-Za-z0-9 ._'()/-]*", s) and not s.endswith(" ")
            and s.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "y", "n", "~")):
        return s
    # An id such as `001-welcome-call` reads back as written; `1e5`, `0x1f` and `12` do not.
    if (re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", s) and re.search(r"[a-z]", s)
            and not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", s)):
        return s
    return json.dumps(s)  # JSON's escapes are YAML's too


def note_field(note):
    lines = note.split("\n")
    if len(lines) == 1:
        return scalar(note)
    return "|\n" + "\n".join("    " + l if l else "" for l in lines)


def parse_client(path):
    text = read_text(path)
    m = re.search(r"^start:\s*(\d{4}-\d{2}-\d{2})\s*$", text, re.M)
    if not m:
        sys.exit(f"{path}: no `start:` date")
    start = dt.date.fromisoformat(m.group(1))
    contacts, team = [], {}
    section = None
    for line in text.splitlines():
        if re.match(r"^\S", line):
            section = line.split(":", 1)[0]
            continue
        if section == "contacts":
            m = re.match(r"^  - name:\s*(.+?)\s*$", line)
            if m:
                contacts.append(unquote(m.group(1)))
        elif section == "team":
            m = re.match(r"^  ([\w-]+):\s*(\S+)\s*$", line)
            if m:
                team[m.group(1)] = unquote(m.group(2))
    return start, contacts, team


def unquote(v):
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return json.loads(v) if v[0] == '"' else v[1:-1].replace("''", "'")
    return v


def parse_journey(path):
    text = read_text(path)
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not m:
        sys.exit(f"{path}: no front matter")
    fm = dict(re.findall(r"^(\w+):\s*(.*?)\s*$", m.group(1), re.M))
    if "day" not in fm:
        sys.exit(f"{path}: no `day:`")
    return {"id": path.stem, "day": int(fm["day"]), "channel": unquote(fm.get("channel", "")),
            "owner": unquote(fm.get("owner", ""))}


def entry_yaml(e):
    out = [f"- date: {e['date'].isoformat()}"]
    if "touchpoint" in e:
        out.append(f"  touchpoint: {scalar(e['touchpoint'])}")
    if e.get("status", "done") != "done":
        out.append(f"  status: {e['status']}")
    if "to" in e:
        out.append(f"  to: {e['to'].isoformat()}")
    if "by" in e:
        out.append(f"  by: {scalar(e['by'])}")
    if e.get("with"):
        out.append(f"  with: [{', '.join(scalar(w) for w in e['with'])}]")
    if "channel" in e:
        out.append(f"  channel: {scalar(e['channel'])}")
    if "title" in e:
        out.append(f"  title: {scalar(e['title'])}")
    if "score" in e:
        out.append(f"  score: {e['score']}")
    if "mood" in e:
        out.append(f"  mood: {e['mood']}")
    if "note" in e:
        out.append(f"  note: {note_field(e['note'])}")
    return "\n".join(out) + "\n"


def clamp(d, lo, hi):
    return max(lo, min(hi, d))


def client_log(rng, n, start, contacts, team, journey, channels, today):
    """The client's entries, oldest first."""
    if n <= 0 or start > today:
        return []
    members = sorted(set(team.values()))
    planned = [t for t in journey if start + dt.timedelta(days=t["day"] - 1) <= today]

    def extras(e, touchpoint):
        """`by`, `with`, `score` and `mood` on some entries; `touchpoint` is None if unplanned."""
        if members and rng.random() < 0.6:
            # `by` is mostly the member in the touchpoint's owner role, else anyone on the team.
            owner = team.get(touchpoint["owner"]) if touchpoint else None
            e["by"] = owner if owner and rng.random() < 0.75 else rng.choice(members)
        if contacts and rng.random() < 0.5:
            k = 1 if len(contacts) == 1 or rng.random() < 0.7 else rng.randint(1, len(contacts))
            e["with"] = sorted(rng.sample(contacts, k), key=contacts.index)
        if e.get("status", "done") == "done":
            if rng.random() < 0.4:
                e["score"] = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 4, 6, 10, 14, 12, 8])[0]
            if rng.random() < 0.35:
                s = e.get("score")
                if s is None:
                    e["mood"] = rng.choices(["green", "amber", "red"], weights=[7, 2, 1])[0]
                else:
                    e["mood"] = "green" if s >= 7 else "amber" if s >= 4 else "red"
        return e

    # About one entry in six is unplanned; the planned ones take the rest of the budget.
    target_unplanned = sum(rng.random() < 1 / 6 for _ in range(n))
    budget = n - target_unplanned
    entries = []
    for t in planned:
        if budget <= 0:
            break
        due = start + dt.timedelta(days=t["day"] - 1)
        r = rng.random()
        if r < 0.14 and budget >= 2:
            # Moved on or a few days before its date, then done on the new date.
            to = due + dt.timedelta(days=rng.choice([2, 3, 5, 7, 7, 14]))
            if to <= today:
                moved_on = clamp(due - dt.timedelta(days=rng.randrange(4)), start, today)
                moved = {"date": moved_on, "touchpoint": t["id"], "status": "moved", "to": to}
                if rng.random() < 0.7:
                    moved["note"] = rng.choice(MOVED_NOTES)
                if members and rng.random() < 0.5:
                    moved["by"] = team.get(t["owner"]) or rng.choice(members)
                done = extras({"date": to, "touchpoint": t["id"]}, t)
                if "by" in moved and "by" in done:
                    done["by"] = moved["by"]
                if rng.random() < 0.75:
                    done["note"] = rng.choice(DONE_NOTES)
                entries += [moved, done]
                budget -= 2
                continue
        if r > 0.9:
            e = {"date": clamp(due + dt.timedelta(days=rng.randrange(3)), start, today),
                 "touchpoint": t["id"], "status": "skipped"}
            if members and rng.random() < 0.5:
                e["by"] = team.get(t["owner"]) or rng.choice(members)
            if rng.random() < 0.8:
                e["note"] = rng.choice(SKIPPED_NOTES)
        else:
            late = 0 if rng.random() < 0.65 else rng.randint(1, 3)
            e = extras({"date": clamp(due + dt.timedelta(days=late), start, today),
                        "touchpoint": t["id"]}, t)
            if rng.random() < 0.12 and len(channels) > 1:
                # Held another way than planned (a review by email).
                e["channel"] = rng.choice([c for c in channels if c != t["channel"]])
            if rng.random() < 0.75:
                e["note"] = rng.choice(DONE_NOTES)
        entries.append(e)
        budget -= 1

    # Unplanned contacts fill the rest, on any day from the start to the build date.
    span = (today - start).days
    for _ in range(n - len(entries)):
        ch = rng.choices(channels, weights=[UNPLANNED_CHANNELS.get(c, 1) for c in channels])[0]
        e = extras({"date": start + dt.timedelta(days=rng.randint(0, span)),
                    "channel": ch, "title": rng.choice(TITLES.get(ch, ["Unplanned contact"]))}, None)
        if rng.random() < 0.75:
            e["note"] = rng.choice(UNPLANNED_NOTES)
        entries.append(e)

    # Oldest first; a stable sort keeps a moved entry before its done on the same day.
    entries.sort(key=lambda e: e["date"])
    return entries


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site")
    ap.add_argument("--entries", type=int, required=True, help="entries per client")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--today", default=BUILD_DATE.isoformat(), help="the build date (default %(default)s)")
    a = ap.parse_args()
    if a.entries < 0:
        sys.exit("--entries must be 0 or more")
    today = dt.date.fromisoformat(a.today)
    root = pathlib.Path(a.site)
    client_files = sorted((root / "clients").glob("*.yaml"))
    journey = sorted((parse_journey(p) for p in (root / "journey").glob("*.md")),
                     key=lambda t: (t["day"], t["id"]))
    if not client_files or not journey:
        sys.exit(f"{root}: needs clients/*.yaml and journey/*.md (a gen_site.py site)")
    used = {t["channel"] for t in journey if t["channel"]}
    channels = [c for c in UNPLANNED_CHANNELS if c in used] or sorted(used)
    if not channels:
        sys.exit(f"{root}: no journey file has a `channel:`")
    known_members = {p.stem for p in (root / "team").glob("*.yaml")}

    out = root / "log"
    out.mkdir(exist_ok=True)
    total = 0
    for path in client_files:
        cid = path.stem
        start, contacts, team = parse_client(path)
        team = {role: mid for role, mid in team.items() if mid in known_members}
        # One generator per client, seeded by the seed and the client id: deterministic, and a
        # client's log does not change when others are added.
        rng = random.Random(f"{a.seed}:{cid}")
        entries = client_log(rng, a.entries, start, contacts, team, journey, channels, today)
        text = "".join(entry_yaml(e) for e in entries) if entries else "[]\n"
        (out / f"{cid}.yaml").write_text(text, encoding="utf-8")
        total += len(entries)
    print(f"{len(client_files)} logs, {total} entries in {out}")


if __name__ == "__main__":
    main()
