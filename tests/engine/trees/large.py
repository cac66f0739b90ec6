"""A WSGI app whose answer is larger than any socket buffer and waitress's output watermark.

Its first part leaves more than the watermark (16 MiB) unsent whatever the socket buffers, so
before it writes the second the worker thread waits until the server's loop has sent enough,
as the client reads.
"""

PARTS = (b"x" * (48 * 1024 * 1024), b"y" * (1024 * 1024))
SIZE = sum(len(part) for part in PARTS)


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(SIZE))])
    return PARTS
