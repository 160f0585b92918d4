"""Slack's inbound text as people typed it.

Slack sends message and command text with `&`, `<` and `>` escaped and with
mentions, channels and links in angle brackets. The domain wants plain text:
'<@U1|ana>' is '@ana', '<https://x|the doc>' is 'the doc (https://x)'.
"""

from __future__ import annotations

import re

_ANGLE = re.compile(r"<([^<>]*)>")


def _plain_token(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):  # user: <@U123|ana> or <@U123>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # channel: <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # special: <!here>, <!subteam^S1|@team>, <!date^...|fallback>
        if label:
            return label
        return "@" + target[1:].split("^")[0]
    return f"{label} ({target})" if label and label != target else target


def plain(text: str) -> str:
    text = _ANGLE.sub(_plain_token, text or "")
    # Entities last, so a typed "&lt;" survives as "&lt;" rather than "<".
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
