"""The HTTP client under the assistant's Telegram bot: python-telegram-bot on aiohttp.

python-telegram-bot lets the HTTP library be swapped (telegram.request.BaseRequest). Its own
HTTPXRequest spends, per call, about as much CPU as everything else the assistant does for an
update (httpx, httpcore, anyio and h11 are pure Python; aiohttp parses HTTP in C). Bodies are
sent as JSON, which the Bot API accepts for every method but uploads; uploads are multipart.
Errors are python-telegram-bot's: TimedOut for a timeout, NetworkError for anything else.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session, with HTTPXRequest's timeouts and defaults.

    As with httpx: certificates are checked against SSL_CERT_FILE / SSL_CERT_DIR when set,
    else certifi's authorities (a slim container may have none of its own); a proxy is taken
    from the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY), read once per server (aiohttp's
    trust_env would read it, and ~/.netrc, in a thread per call). aiohttp has no pool timeout
    of its own: `pool_timeout` and `connect_timeout` together bound the wait for a connection.
    """

    def __init__(self, *, connection_pool_size: int = 64, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout,
                          "connect": connect_timeout, "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (getUpdates adds its long-polling time to it)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=_tls_context()),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar())  # the Bot API sets no cookie

    async def shutdown(self) -> None:
        """Close the session and its connections (twice is harmless)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for this URL's server, if any."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            bypass = parts.hostname is None or urllib.request.proxy_bypass(parts.hostname)
            proxies = urllib.request.getproxies()
            self._proxies[origin] = None if bypass else \
                proxies.get(parts.scheme) or proxies.get("all")
        return self._proxies[origin]

    def _timeout(self, uploads: bool, read: Any, write: Any, connect: Any,
                 pool: Any) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for python-telegram-bot's four (DEFAULT_NONE: this object's).

        aiohttp has no write timeout: the whole call is bounded by the sum of the four."""
        def pick(value: Any, name: str) -> float | None:
            return self._timeouts[name] if value is BaseRequest.DEFAULT_NONE else value

        if uploads and write is BaseRequest.DEFAULT_NONE:
            write = self._media_write_timeout
        parts = [pick(pool, "pool"), pick(connect, "connect"), pick(write, "write"),
                 pick(read, "read")]
        waiting = None if parts[0] is None or parts[1] is None else parts[0] + parts[1]
        total = None if None in parts else sum(p for p in parts if p is not None)
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=parts[1],
                                     sock_read=parts[3])

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """Send one Bot API call; its HTTP status and body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        body: Any = None
        headers = None
        if request_data is not None and files:
            body = aiohttp.FormData(quote_fields=False)  # Telegram reads "é" as is, not %C3%A9
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, _content(content), filename=filename,
                               content_type=mimetype)
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers = JSON_HEADERS
        timeout = self._timeout(bool(files), read_timeout, write_timeout, connect_timeout,
                                pool_timeout)
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout,
                                             proxy=self._proxy(url)) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _tls_context() -> ssl.SSLContext:
    """Certificate authorities as httpx finds them: SSL_CERT_FILE / SSL_CERT_DIR, else certifi."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if not cafile and not capath:
        cafile = certifi.where()
    return ssl.create_default_context(cafile=cafile or None, capath=capath or None)


def _content(content: bytes | IO[bytes]) -> bytes:
    """An upload's bytes; a file handle is read from its start, so that a retry sends it all
    again (aiohttp would close it after the first try)."""
    if isinstance(content, bytes):
        return content
    if content.seekable():
        content.seek(0)
    return content.read()
