"""The cost of one webhook inside the process: the WSGI app called directly, no network.

Each request gets a fresh environ, built the way waitress builds it, and its body is read to the
end. Apps are timed in turns (ours, the baselines, ours again, ...) so that a noisy neighbour
slows them alike; the best of the repeats is the figure, the median shows the noise.
"""

import cProfile
import io
import pstats
import statistics
import sys
import time

import step

HOST = "127.0.0.1:8000"


def environ_for(host: str = HOST) -> dict:
    """The environ waitress would hand the app for the step, minus the body stream."""
    body, headers = step.signed(host)
    name, port = host.split(":")
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": step.PATH,
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": name,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": headers["Host"],
        "HTTP_X_TWILIO_SIGNATURE": headers["X-Twilio-Signature"],
        "HTTP_USER_AGENT": "TwilioProxy/1.1",
        "HTTP_ACCEPT": "*/*",
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    return {**environ, "bench.body": body}


def requester(app, environ: dict):
    """A function that makes one request to app and returns (status, body)."""
    body = environ["bench.body"]
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    def request():
        env = environ.copy()
        env["wsgi.input"] = io.BytesIO(body)
        chunks = app(env, start_response)
        try:
            data = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return answer["status"], data

    return request


def check(apps: dict) -> dict[str, int]:
    """Make one request to each app; stop unless all answer 200 with XML. Return the sizes."""
    sizes = {}
    for name, app in apps.items():
        status, data = requester(app, environ_for())()
        if not status.startswith("200") or b"<Response>" not in data:
            sys.exit(f"bench: {name} answered {status} {data[:120]!r}: fix that first")
        sizes[name] = len(data)
    return sizes


def loop_time(request, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        request()
    return time.perf_counter() - start


def measure(apps: dict, repeat: int = 7, seconds: float = 0.25) -> dict[str, dict]:
    """Microseconds per request for each app: best and median of ``repeat`` timed loops."""
    requests = {name: requester(app, environ_for()) for name, app in apps.items()}
    numbers = {}
    for name, request in requests.items():  # calibrate, as timeit does: ~`seconds` per loop
        number = 10
        while (elapsed := loop_time(request, number)) < seconds / 5:
            number *= 2
        numbers[name] = max(10, int(number * seconds / elapsed))
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(repeat):
        for name, request in requests.items():
            times[name].append(loop_time(request, numbers[name]) / numbers[name] * 1e6)
    return {
        name: {
            "best_us": min(runs),
            "median_us": statistics.median(runs),
            "requests": numbers[name] * repeat,
        }
        for name, runs in times.items()
    }


def profile(app, number: int = 20000, top: int = 25, sort: str = "tottime") -> str:
    """cProfile ``number`` requests to app; the ``top`` functions by ``sort``."""
    request = requester(app, environ_for())
    profiler = cProfile.Profile()
    profiler.runcall(loop_time, request, number)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(top)
    return out.getvalue()
