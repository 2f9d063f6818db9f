"""`resolver review OUT --serve`: the workbench over HTTP on the loopback interface.

The standard library's ThreadingHTTPServer serves it: one steward on one machine needs
no event loop, and it adds no dependency beyond Jinja2 for the templates.

As Jupyter does, a random token (secrets.token_urlsafe) is in the printed URL; a request
carrying it gets a cookie (HttpOnly, SameSite=Strict, named after the port) and every
other request without the token or the cookie gets 403. Forms that change the decisions
file carry the token too, so another site's page cannot post a decision through the
steward's browser; the Host header must be the loopback address (DNS rebinding). Nothing
is logged: the request log would print search terms and record keys.
"""

import mimetypes
import secrets
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from resolver.errors import InputError
from resolver.workbench.app import Response, Workbench

HOST = "127.0.0.1"
MAX_FORM_BYTES = 64 * 1024
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token never leaves in a Referer header
    "Cache-Control": "no-store",  # pages hold customer data
}


class WorkbenchServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Silent: the standard server prints a traceback (a message may quote data)."""

    def __init__(self, workbench: Workbench, port: int):
        self.workbench = workbench
        self.token = workbench.token = secrets.token_urlsafe(32)
        super().__init__((HOST, port), Handler)
        self.port = self.server_address[1]
        self.cookie = f"resolver_workbench_{self.port}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"


class Handler(BaseHTTPRequestHandler):
    server: WorkbenchServer
    server_version = "resolver"
    sys_version = ""

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        """Silent: a request line holds search terms and record keys."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._host_ok():
            return self._send(Response(403, "403: this server answers on 127.0.0.1 only\n"))
        if secrets.compare_digest((query.pop("token", [""])[0]).encode(),
                                  self.server.token.encode()):
            # once: the token becomes a cookie and leaves the address bar
            where = url.path + ("?" + urlencode(query, doseq=True) if query else "")
            return self._send(Response(303, location=where), cookie=True)
        if not self._cookie_ok():
            return self._forbidden()
        if url.path == "/favicon.ico":
            return self._send(Response(204))
        if url.path.startswith("/static/"):
            return self._static(url.path.removeprefix("/static/"))
        self._send(self._guarded(self.server.workbench.get, url.path, query))

    def do_POST(self) -> None:  # noqa: N802
        if not (self._host_ok() and self._cookie_ok()):
            return self._forbidden()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_FORM_BYTES:
            return self._send(Response(413, "413: form too large\n"))
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        if not secrets.compare_digest(form.get("token", [""])[0].encode(),
                                      self.server.token.encode()):
            return self._forbidden()
        if urlsplit(self.path).path != "/decide":
            return self._send(Response(404, "404\n"))
        self._send(self._guarded(self.server.workbench.decide, form))

    def _guarded(self, route, *args) -> Response:
        """An internal error is a 500 naming its type only (a message may quote data)."""
        try:
            return route(*args)
        except Exception as exc:  # noqa: BLE001 (the boundary of one request)
            return Response(500, f"500: internal error ({type(exc).__name__})\n")

    def _host_ok(self) -> bool:
        host = self.headers.get("Host", "")
        return host in (f"{HOST}:{self.server.port}", f"localhost:{self.server.port}")

    def _cookie_ok(self) -> bool:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        given = cookie[self.server.cookie].value if self.server.cookie in cookie else ""
        return secrets.compare_digest(given.encode(), self.server.token.encode())

    def _forbidden(self) -> None:
        self._send(Response(403, "403: open the workbench with the URL (and its token) "
                                 "that `resolver review OUT --serve` printed\n"))

    def _static(self, name: str) -> None:
        files = resources.files("resolver.workbench") / "static"
        if "/" in name or name.startswith(".") or not (files / name).is_file():
            return self._send(Response(404, "404\n"))
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(Response(200, (files / name).read_text(encoding="utf-8"),
                            headers={"Content-Type": f"{kind}; charset=utf-8"}))

    def _send(self, response: Response, cookie: bool = False) -> None:
        body = response.body.encode("utf-8")
        self.send_response(response.status)
        kind = "text/html" if body.lstrip().startswith(b"<") else "text/plain"
        headers = {"Content-Type": f"{kind}; charset=utf-8", **HEADERS, **response.headers,
                   "Content-Length": str(len(body))}
        if response.location:
            headers["Location"] = response.location
        if cookie:
            headers["Set-Cookie"] = (f"{self.server.cookie}={self.server.token}; Path=/; "
                                     "HttpOnly; SameSite=Strict")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(out_dir: Path, port: int = 0, reviewer: str = "steward") -> WorkbenchServer:
    """The workbench's server, bound to 127.0.0.1:port (0: any free port), not yet
    serving. A run folder without a decisions file in its config is refused first."""
    workbench = Workbench(out_dir, reviewer)
    try:
        return WorkbenchServer(workbench, port)
    except OSError as exc:
        raise InputError(f"--port {port}: cannot listen on {HOST}:{port} ({exc.strerror}). "
                         "Give another port, or --port 0 for any free one") from None


def serve(server: WorkbenchServer) -> None:
    """Serve until interrupted (Ctrl-C), then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
