"""One line per webhook: what the caller did, where the call went, how long the answer took."""

from __future__ import annotations

import time

from phonetree_engine.lines import log_value, mask_digits, mask_number

# What a webhook line keeps of the carrier's parameters: what the caller did, and what the
# report reads (how a Dial or a queue ended, and how long it took).
LOGGED_PARAMS = (
    "Digits",
    "SpeechResult",
    "DialCallStatus",
    "DialCallDuration",
    "QueueResult",
    "QueueTime",
    "RecordingDuration",
)
LOGGED_KEYS = tuple((name, name.lower()) for name in LOGGED_PARAMS)


class WebhookLine:
    """One line per webhook, built when it is written: ``str(line)``.

    A request thread keeps only the facts; the log's writer thread builds the text, many lines
    together (the logging HOWTO's "arbitrary objects as messages"). Built on request threads,
    the line cost about a twentieth of the throughput; on the writer, a fraction of that.
    ``entered`` lists every state the answer went through (the report counts each); ``ms``
    stays last, as the report reads a line without it as cut off. Digits a caller entered at a
    collect are masked, and so is every run of digits a caller said.
    """

    __slots__ = ("entered", "ms", "params", "path", "private", "reached", "token")

    def __init__(self, environ, params, reached, entered, started, private=False):
        self.ms = (time.perf_counter() - started) * 1000
        self.path = environ.get("PATH_INFO", "")
        # The carrier retried: the same token on every attempt of one callback
        self.token = environ.get("HTTP_I_TWILIO_IDEMPOTENCY_TOKEN")
        self.params, self.reached, self.entered = params, reached, tuple(entered)
        self.private = private

    def __str__(self) -> str:
        # Written out rather than through event_line: the writer builds one per webhook.
        get = self.params.get
        parts = [
            "webhook",
            "call=" + log_value(get("CallSid", "-")[:80]),
            "from=" + log_value(mask_number(get("From", ""))),
            "path=" + log_value(self.path[:100]),
        ]
        for name, key in LOGGED_KEYS:
            value = get(name)
            if value is not None:
                value = value[:40]
                if self.private and key == "digits":  # a number the caller entered
                    value = mask_number(value)
                elif key == "speechresult":  # a number the caller said
                    value = mask_digits(value)
                parts.append(f"{key}={log_value(value)}")
        if self.entered:
            parts.append("entered=" + log_value(",".join(self.entered)))
        parts.append("next=" + log_value(self.reached))
        if self.token:
            parts.append("retry_token=" + log_value(self.token[:80]))
        parts.append(f"ms={self.ms:.2f}")
        return " ".join(parts)
