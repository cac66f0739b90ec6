"""The studio's own routes: the page, its files, a step of a call, a call saved as a test.

    GET  /                      the page, the tree's diagram inline
    GET  /studio/static/<name>  the page's script and style
    POST /studio/step           replay a call up to its moment (JSON in, JSON out)
    GET  /studio/test?<moment>  the call up to that moment, as a pytest file to save

Every other path is the app's (see ``server.py``). A step replays its call over HTTP through
the same server, so few steps run at once: the server's threads must stay free to answer them.
"""

from __future__ import annotations

import html
import json
import threading
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import bottle

from phonetree_engine import carriers
from phonetree_tools import diagram, playing, terminal
from phonetree_tools.studio import layout, moment, sessions, testfile
from phonetree_tools.studio.replay import Caller, Played, Walks
from phonetree_tools.studio.seams import (
    capture_delivery,
    capture_log,
    config_of,
    tree_of,
)

STATIC = Path(str(resources.files("phonetree_tools.studio") / "static"))
FILES = {"studio.js": "text/javascript", "studio.css": "text/css"}
STEPS_AT_ONCE = 2  # each holds a server thread, and needs another free for its webhooks
MAX_BODY = 64 * 1024


class Studio:
    """The page and its API, for one app."""

    def __init__(self, app, quiet: bool = True):
        self.tree = tree_of(app)
        self.table, self.start = self.tree.table, self.tree.start
        self.config = config_of(app)
        self.signing = playing.signing(app, self.config)  # the carrier's way, as `call` signs
        self.walks = Walks(self.config)
        capture_log(self.walks.take_entry, quiet)
        self.delivery = capture_delivery(app, self.walks.hand_message)
        self.sessions = sessions.Sessions(self.table)
        self.steps = threading.BoundedSemaphore(STEPS_AT_ONCE)
        self.caller: Caller | None = None
        self.hosts: set[str] = set()
        self.page = self.render_page()
        self.web = bottle.Bottle()
        self.web.route("/", ["GET", "HEAD"], self.show_page)
        self.web.route("/studio/static/<name>", ["GET", "HEAD"], self.static)
        self.web.route("/studio/step", "POST", self.step)
        self.web.route("/studio/test", "GET", self.save_test)
        self.web.default_error_handler = plain_error

    def listening(self, base_url: str) -> None:
        """The server's own address, where the studio's calls go."""
        self.caller = Caller(base_url, self.config, self.walks, self.signing)
        port = urlsplit(base_url).port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    # The page ##

    def render_page(self) -> str:
        facts = {
            "states": list(self.table),
            "exits": [[a, b, label] for a, label, b in diagram.edges(self.table)],
            "languages": list(self.config.languages),
            "timezone": str(self.config.timezone),
            "channels": [channel.name for channel in self.delivery.channels],
            "carrier": carriers.unsigned(self.config).title,
            "dial": list(moment.DIAL_RESULTS),
            "queue": list(moment.QUEUE_CHOICES),
        }
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        data = json.dumps(facts).replace("</", "<\\/")
        filled = {
            "<!--tree-->": layout.svg(self.table, self.start),
            "<!--facts-->": data,
            "<!--carrier-->": html.escape(carrier_line(self.config, self.signing)),
        }
        for mark, text in filled.items():
            page = page.replace(mark, text)
        return page

    def show_page(self):
        """The studio's page."""
        bottle.response.content_type = "text/html; charset=utf-8"
        bottle.response.set_header("Cache-Control", "no-cache")
        return self.page

    def static(self, name):
        """One of the page's files."""
        if name not in FILES:
            raise bottle.HTTPError(404, "Not Found: no such file in the studio.")
        answer = bottle.static_file(name, root=str(STATIC), mimetype=FILES[name], charset="utf-8")
        answer.set_header("Cache-Control", "no-cache")
        return answer

    # A step ##

    def step(self):
        """Replay a call up to its moment; say what the caller heard and where it is."""
        self.check_origin()
        request = read_json(bottle.request)
        query = {
            "at": [text(request, "at")] if request.get("at") else [],
            "clock": [text(request, "clock") or "now"],
            "dial": [text(request, "dial") or "no-answer"],
            "queue": [text(request, "queue") or "wait"],
            "position": [str(request.get("position", 1))],
            "average": [str(request.get("average", 0))],
            "waited": [str(request.get("waited", 0))],
            "do": tokens(request.get("actions")),
        }
        played = self.replayed(query, known(request), bool(request.get("deliver")))
        traffic = self.sessions.count(
            text(request, "session") or "-",
            text(request, "call") or "-",
            [action.token for action in played.actions],
            played.walk.entries,
        )
        answer = as_json(played, self.config)
        answer["coverage"] = sessions.coverage(traffic, self.table)
        bottle.response.content_type = "application/json"
        return json.dumps(answer, ensure_ascii=False)

    def save_test(self):
        """The call up to its moment as a pytest file, to save under tests/."""
        query = parse_qs(bottle.request.environ.get("QUERY_STRING", ""), keep_blank_values=True)
        played = self.replayed(query)
        source = testfile.generate(played, testfile.call_settings(self.tree))
        bottle.response.content_type = "text/x-python; charset=utf-8"
        name = testfile.test_name(played)
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{name}.py"')
        return source

    def replayed(self, query, known_actions=None, deliver=False) -> Played:
        try:
            wanted = moment.from_address(query, self.config.timezone, self.clock)
        except moment.BadMoment as error:
            raise bottle.HTTPError(400, f"Bad Request: {error}") from None
        if not self.steps.acquire(blocking=False):
            raise bottle.HTTPError(503, "Busy: other steps are being replayed; send it again.")
        try:
            return self.caller.replay(wanted, known_actions, deliver)
        finally:
            self.steps.release()

    def clock(self, choice: str):
        """The moment a new call pretends it is: now, open, closed, or a date and time."""
        if choice in ("open", "closed", "now"):
            try:
                found = terminal.pretend(self.config, choice) or self.config.now()
                return found.replace(microsecond=0)
            except ValueError as error:
                raise moment.BadMoment(str(error).replace("--clock", "clock")) from None
        return moment.read_time(choice, self.config.timezone)

    def check_origin(self):
        """Only the studio's own page steps a call: not another site's page in the browser."""
        environ = bottle.request.environ
        origin = environ.get("HTTP_ORIGIN")
        if environ.get("HTTP_HOST") not in self.hosts or (
            origin and urlsplit(origin).netloc not in self.hosts
        ):
            raise bottle.HTTPError(403, "Forbidden: steps come from the studio's own page.")
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip() != "application/json":
            raise bottle.HTTPError(415, "Unsupported Media Type: send application/json.")


def carrier_line(config, signing: dict) -> str:
    """Which carrier the studio plays, and whether it signs its webhooks."""
    carrier = carriers.unsigned(config)
    how = (
        f"webhooks signed as {carrier.title} signs"
        if set(signing) - {"carrier"}
        else f"webhooks unsigned: {' or '.join(carrier.keys)} is not set"
    )
    return f"Carrier: {carrier.title} (PROVIDER={carrier.name}), {how}."


def read_json(request) -> dict:
    length = request.content_length
    if length < 0 or length > MAX_BODY:
        raise bottle.HTTPError(413, "Request body too large.")
    try:
        body = json.loads(request.body.read(length) or b"{}")
    except ValueError:
        raise bottle.HTTPError(400, "Bad Request: the body is not JSON.") from None
    if not isinstance(body, dict):
        raise bottle.HTTPError(400, "Bad Request: the body is not a JSON object.")
    return body


def text(request: dict, name: str) -> str:
    value = request.get(name)
    return value[:200] if isinstance(value, str) else ""


def tokens(actions) -> list[str]:
    if actions is None:
        return []
    if not isinstance(actions, list) or not all(isinstance(token, str) for token in actions):
        raise bottle.HTTPError(400, "Bad Request: actions are a list of strings.")
    return actions


def known(request: dict) -> int:
    value = request.get("known", 0)
    return value if isinstance(value, int) and value >= 0 else 0


def plain_error(error: bottle.HTTPError) -> str:
    bottle.response.content_type = "text/plain; charset=utf-8"
    return error.body if isinstance(error.body, str) and error.body else error.status_line


# What the page reads of a replay ##############################################


def as_json(played: Played, config) -> dict:
    call = played.call
    gather = call.gather
    at = played.moment.at.astimezone(config.timezone)
    office = "open" if config.is_open(at) else "closed"
    callbacks = {id(seen) for seen in call.callbacks}
    return {
        "at": at.isoformat(),
        "clock": f"{at:%a %Y-%m-%d %H:%M} {config.timezone}, the office is {office}",
        "actions": [action.token for action in played.actions],
        "events": played.events,
        "waiting": played.waiting,
        "queued": played.queued,
        "state": played.state,
        "passed": played.passed,
        "ended_in": played.last_state if call.ended else None,
        "ended": call.ended,
        "outcome": list(call.outcome or ()),
        "failure": played.failure,
        "gather": None
        if gather is None
        else {
            "numDigits": int(gather.get("numDigits") or 0),
            "finishOnKey": gather.get("finishOnKey", "#"),
            "timeout": int(gather.get("timeout") or 5),
            "input": gather.get("input", "dtmf").split(),
        },
        "messages": list(played.walk.messages.values()),
        "requests": [request_json(seen, id(seen) in callbacks) for seen in played.requests],
    }


def request_json(seen, callback: bool) -> dict:
    parts = urlsplit(seen.url)
    return {
        "sequence": seen.sequence,
        "callback": callback,
        "method": seen.method,
        "url": parts.path + (f"?{parts.query}" if parts.query else ""),
        "params": seen.params,
        "status": seen.status,
        "ms": round(seen.ms, 1),
        "answer": pretty(seen.body, seen.content_type),
    }


def pretty(body: str, content_type: str) -> str:
    if "xml" not in content_type:
        return body
    try:
        root = ET.fromstring(body.encode("utf-8"))
    except ET.ParseError:
        return body
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")
