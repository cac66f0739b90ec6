"""The webhook the benchmark repeats: at the menu, the caller presses 3 (business hours).

Twilio posts its usual call parameters plus ``Digits`` to the Gather's action, signed with
X-Twilio-Signature over the URL it called and the form. The server rebuilds that URL from the
Host header, so a signature is only good for one host and port: sign per server.
"""

from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

TOKEN = "bench-auth-token-not-a-secret"
PATH = "/state/menu/exit"
START_PATH = "/voice"

# The production settings the app runs with: signatures checked, one log line per webhook.
# Blank values unset anything in the caller's environment that would change the signed URL.
ENVIRON = {
    "TWILIO_AUTH_TOKEN": TOKEN,
    "TWILIO_SHARED_KEY": "",
    "PUBLIC_URL": "",
    "LOG_LEVEL": "INFO",
}

# What Twilio sends with every voice webhook (values made up, shapes real).
CALL = {
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "ApiVersion": "2010-04-01",
    "CallSid": "CAfedcba9876543210fedcba9876543210",
    "CallStatus": "in-progress",
    "Called": "+15005550001",
    "CalledCountry": "US",
    "CalledState": "NY",
    "Caller": "+15551234567",
    "CallerCountry": "US",
    "Direction": "inbound",
    "From": "+15551234567",
    "FromCity": "BROOKLYN",
    "FromCountry": "US",
    "FromState": "NY",
    "To": "+15005550001",
}
PRESS_3 = {**CALL, "Digits": "3", "FinishedOnKey": "", "msg": "Gather End"}
RINGING = {**CALL, "CallStatus": "ringing"}


def signed(host: str, path: str = PATH, params: dict = PRESS_3) -> tuple[bytes, dict[str, str]]:
    """The form body and headers of a POST to http://host/path, as Twilio would send it."""
    signature = RequestValidator(TOKEN).compute_signature(f"http://{host}{path}", params)
    headers = {
        "Host": host,
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return urlencode(params).encode(), headers
