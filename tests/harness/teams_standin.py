"""A loopback stand-in for the Bot Connector service that Teams activities point at.

Use its ``service_url`` as the inbound activities' ``serviceUrl``: botbuilder's
ConnectorClient then sends replies, updates and proactive messages here. It
speaks the Bot Connector v3 REST formats (see botframework/connector/aio/
operations_async/_conversations_operations_async.py for the routes):

* ``send``                 POST /v3/conversations/{id}/activities
                           POST /v3/conversations/{id}/activities/{replyToId}
                           -> 201 ``{"id": "<activity id>"}``
* ``update``               PUT  /v3/conversations/{id}/activities/{activityId}
                           -> 200 ``{"id": "<activityId>"}``
* ``delete``               DELETE /v3/conversations/{id}/activities/{activityId} -> 200
* ``create_conversation``  POST /v3/conversations
                           -> 201 ``{"id": "a:new-conv-<n>", "activityId": ...}``
                           (``activityId`` only when the body carried an activity; a
                           1:1 with the same member gets the same id back, as Teams does)
* ``get_member``           GET /v3/conversations/{id}/members/{memberId}
                           (memberId may be the 29: id or the AAD object id)
                           -> TeamsChannelAccount JSON, or 404
                           ``{"error": {"code": "MemberNotFoundInConversation", ...}}``
* ``members``              GET /v3/conversations/{id}/members -> list of accounts

It also serves the OpenID metadata and JWKS that botbuilder fetches to
validate inbound channel tokens, with one RSA key generated at start, and
``make_token`` signs JWTs the way the Bot Framework channel does.

WHY A THREAD: botframework-connector 4.17.1 fetches OpenID metadata with
blocking ``requests.get`` *on the event loop thread* (jwt_token_extractor.py,
``_OpenIdMetadata._refresh``) and sends outbound calls with ``requests`` in
an executor. A fake served on the test's own loop would deadlock on the
first, so the fake runs its own event loop on a background thread. All
public methods are safe to call from the test's loop.

NOTE on retries: outbound calls go through msrest's ``ClientRetryPolicy``
(urllib3 ``Retry(total=3, backoff_factor=0.8)``, status_forcelist = 408 and
5xx except 501/505). urllib3 2.x ignores msrest's ``method_whitelist`` and
uses its default allowed methods, which exclude POST: so a failing POST
(send, create_conversation) is tried once, while a failing PUT (update) or
GET is retried by urllib3 (5xx, and 429/503 honouring Retry-After). Every
attempt is recorded as a separate Call.

Usage::

    from tests.harness.teams_standin import fake_connector  # noqa: F401  (pytest fixture)

    async def test_x(fake_connector):
        activity = personal_message("hola", service_url=fake_connector.service_url)
        ...
        [call] = await fake_connector.wait_for_calls("send", 1)
        assert call.json["text"] == "..."
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from multidict import CIMultiDict

from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory

from tests.harness.waiting import eventually

CHANNEL_ISSUER = "https://api.botframework.com"  # AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
OPENID_PATH = "/openid/.well-known/openidconfiguration"
KEYS_PATH = "/openid/keys"
DEFAULT_ENDORSEMENTS = ["msteams", "emulator", "webchat", "directline", "slack"]
KINDS = ("send", "update", "delete", "create_conversation", "get_member", "members", "openid", "keys")
FIRST_ACTIVITY_ID = 1_700_000_000_000  # Teams activity ids look like epoch millis

_CONV = r"(?P<conversation>[^/]+)"
# Order matters: the first match wins. A serviceUrl may carry a path prefix
# (Teams uses e.g. https://smba.trafficmanager.net/amer/), hence the leading ".*?".
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(rf"^.*?/v3/conversations/{_CONV}/activities/?$"), "send"),
    ("POST", re.compile(rf"^.*?/v3/conversations/{_CONV}/activities/(?P<activity>[^/]+)$"), "send"),
    ("PUT", re.compile(rf"^.*?/v3/conversations/{_CONV}/activities/(?P<activity>[^/]+)$"), "update"),
    ("DELETE", re.compile(rf"^.*?/v3/conversations/{_CONV}/activities/(?P<activity>[^/]+)$"), "delete"),
    ("POST", re.compile(r"^.*?/v3/conversations/?$"), "create_conversation"),
    ("GET", re.compile(rf"^.*?/v3/conversations/{_CONV}/members/(?P<member>[^/]+)$"), "get_member"),
    ("GET", re.compile(rf"^.*?/v3/conversations/{_CONV}/members/?$"), "members"),
    ("GET", re.compile(r"^/openid/\.well-known/openidconfiguration$"), "openid"),
    ("GET", re.compile(r"^/openid/keys$"), "keys"),
]


@dataclass
class Call:
    """One HTTP request the fake received (every attempt, failed ones too)."""

    kind: str  # one of KINDS, or "unknown"
    method: str
    path: str  # percent-decoded, as aiohttp's request.path
    json: Any  # parsed body, or None
    headers: CIMultiDict[str]  # case-insensitive: call.headers["authorization"]
    query: dict[str, str]
    conversation_id: str | None = None
    activity_id: str | None = None  # replyToId for a threaded send, target id for update
    member_id: str | None = None
    status: int = 0  # what the fake answered
    response: Any = None  # the JSON it answered with

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")


@dataclass
class Member:
    aad_object_id: str
    user_id: str
    name: str
    email: str | None = None
    user_principal_name: str | None = None
    tenant_id: str | None = None
    given_name: str | None = None
    surname: str | None = None
    user_role: str = "user"

    def to_json(self) -> dict[str, Any]:
        """A TeamsChannelAccount as GET .../members/{id} returns it."""
        given, _, family = self.name.partition(" ")
        data = {
            "id": self.user_id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name if self.given_name is not None else given,
            "surname": self.surname if self.surname is not None else (family or None),
            "email": self.email,
            "userPrincipalName": self.user_principal_name or self.email,
            "tenantId": self.tenant_id,
            "userRole": self.user_role,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass
class _Script:
    status: int | None = None  # None: answer normally (after a stall)
    retry_after: float | None = None
    stall: float = 0.0
    body: Any = None


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "login.botframework.com")])
    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


class FakeBotConnector:
    """The Bot Connector + Bot Framework OpenID endpoints, on 127.0.0.1:<random>."""

    def __init__(self, *, endorsements: list[str] | None = None, service_path: str = "/amer/") -> None:
        self.endorsements = list(DEFAULT_ENDORSEMENTS if endorsements is None else endorsements)
        self._service_path = service_path
        self.calls: list[Call] = []
        self.members: dict[str, Member] = {}  # by aad_object_id
        self.activities: dict[str, dict[str, Any]] = {}  # activity id -> last body sent/updated
        self.conversations: dict[str, dict[str, Any]] = {}  # created conversation id -> params
        self._scripts: dict[str, deque[_Script]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ids = itertools.count(FIRST_ACTIVITY_ID)
        self._conv_numbers = itertools.count(1)
        self._one_on_one: dict[str, str] = {}
        # Signing keys: the published one and a stranger for forged tokens.
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._cert = _self_signed(self.key)
        der = self._cert.public_bytes(serialization.Encoding.DER)
        self.x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
        self.kid = self.x5t  # the Bot Framework uses the thumbprint as kid
        self._x5c = base64.b64encode(der).decode()
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None

    # ----------------------------------------------------------------- URLs
    @property
    def service_url(self) -> str:
        """What to put in an activity's serviceUrl (with a trailing slash, like Teams)."""
        return f"{self.url}{self._service_path}"

    @property
    def openid_metadata_url(self) -> str:
        """For configuration.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL."""
        return f"{self.url}{OPENID_PATH}"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}{KEYS_PATH}"

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> "FakeBotConnector":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(sock))
            except BaseException as exc:  # noqa: BLE001  (reported to start())
                errors.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"FakeBotConnector:{port}", daemon=True)
        self._thread.start()
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        if errors:
            raise errors[0]
        return self

    async def _serve(self, sock: socket.socket) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # A short shutdown_timeout, as in the Slack stand-in: a call the bot makes while
        # the test tears down (a delivery still in flight, in botbuilder's executor
        # thread) must get its connection closed at once, not after aiohttp's default
        # 60 s, which the test's event loop would wait for when it closes.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(self._closing.set)  # ends stalls at once
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.get_running_loop().run_in_executor(None, thread.join, 10)
        self._loop = self._thread = None

    async def __aenter__(self) -> "FakeBotConnector":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------ scripting
    def add_member(
        self,
        aad_object_id: str,
        user_id: str,
        name: str,
        email: str | None = None,
        user_principal_name: str | None = None,
        tenant_id: str | None = None,
        **extra: Any,
    ) -> Member:
        """Register someone GET .../members/{29:id or aadObjectId} will find (in any conversation)."""
        member = Member(aad_object_id, user_id, name, email, user_principal_name, tenant_id, **extra)
        with self._lock:
            self.members[aad_object_id] = member
        return member

    def fail_next(
        self,
        kind: str,
        status: int = 429,
        retry_after: float | None = 1,
        times: int = 1,
        body: Any = None,
    ) -> None:
        """The next ``times`` calls of ``kind`` answer ``status`` (429 carries Retry-After).

        ``retry_after`` is sent as a header on any status when not None (Teams
        sends it on 429 and sometimes 503); pass None to omit it.
        """
        self._check_kind(kind)
        with self._lock:
            for _ in range(times):
                self._scripts[kind].append(_Script(status=status, retry_after=retry_after, body=body))

    def stall_next(self, kind: str, seconds: float, times: int = 1, status: int | None = None) -> None:
        """The next ``times`` calls of ``kind`` wait ``seconds`` before answering normally,
        or, given a ``status``, failing with it (a gateway giving up: 504)."""
        self._check_kind(kind)
        with self._lock:
            for _ in range(times):
                self._scripts[kind].append(_Script(status=status, stall=seconds))

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")

    # --------------------------------------------------------------- reading
    def calls_to(self, kind: str) -> list[Call]:
        self._check_kind(kind)
        return [c for c in list(self.calls) if c.kind == kind]

    def sent_texts(self) -> list[str | None]:
        return [c.json.get("text") for c in self.calls_to("send") if c.status < 300]

    async def wait_for_calls(self, kind: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls of ``kind`` arrived (answered); return them all."""
        def answered() -> list[Call]:
            return [c for c in self.calls_to(kind) if c.status]

        def what() -> str:
            seen = [(c.kind, c.method, c.path, c.status) for c in list(self.calls)]
            return f"{count} {kind!r} calls, got {len(answered())}; all calls: {seen}"

        await eventually(lambda: len(answered()) >= count, what, timeout=timeout)
        return answered()

    # ---------------------------------------------------------------- tokens
    def make_token(
        self,
        app_id: str,
        *,
        service_url: str | None = None,
        expires_in: int = 3600,
        issuer: str = CHANNEL_ISSUER,
        kid: str | None = None,
        sign_with_other_key: bool = False,
        include_service_url: bool = True,
        extra_claims: dict[str, Any] | None = None,
    ) -> str:
        """A JWT like the Bot Framework channel sends in ``Authorization: Bearer``.

        Claims: serviceurl (defaults to this fake's service_url), nbf, exp, iat,
        iss, aud = app_id. Header: alg RS256, typ JWT, kid and x5t of the
        published key (``kid`` overrides it). ``sign_with_other_key`` keeps the
        published kid but signs with a key the JWKS does not contain.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "nbf": now - 300,
            "iat": now - 300,
            "exp": now + expires_in,
            "iss": issuer,
            "aud": app_id,
        }
        if include_service_url:
            claims["serviceurl"] = service_url if service_url is not None else self.service_url
        claims.update(extra_claims or {})
        headers = {"kid": kid if kid is not None else self.kid, "x5t": self.x5t, "typ": "JWT"}
        key = self.other_key if sign_with_other_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "x5t": self.x5t,
                    "n": _b64url_uint(numbers.n),
                    "e": _b64url_uint(numbers.e),
                    "x5c": [self._x5c],
                    "endorsements": list(self.endorsements),
                }
            ]
        }

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": CHANNEL_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": self.jwks_url,
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    # --------------------------------------------------------------- serving
    def _next_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def _take_script(self, kind: str) -> _Script | None:
        with self._lock:
            queue = self._scripts.get(kind)
            return queue.popleft() if queue else None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        kind, params = "unknown", {}
        for method, pattern, route_kind in _ROUTES:
            match = pattern.match(request.path) if request.method == method else None
            if match:
                kind, params = route_kind, match.groupdict()
                break
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        call = Call(
            kind=kind,
            method=request.method,
            path=request.path,
            json=body,
            headers=CIMultiDict(request.headers),
            query=dict(request.query),
            conversation_id=params.get("conversation"),
            activity_id=params.get("activity"),
            member_id=params.get("member"),
        )
        self.calls.append(call)

        script = self._take_script(kind) if kind != "unknown" else None
        if script and script.stall:
            try:
                await asyncio.wait_for(self._closing.wait(), script.stall)
            except asyncio.TimeoutError:
                pass
        if script and script.status is not None:
            payload = script.body
            if payload is None:
                payload = {"error": {"code": _ERROR_CODES.get(script.status, "ServiceError"), "message": f"scripted {script.status}"}}
            headers = {}
            if script.retry_after is not None:
                headers["Retry-After"] = str(int(script.retry_after)) if float(script.retry_after).is_integer() else str(script.retry_after)
            return self._answer(call, script.status, payload, headers)

        if kind == "unknown":
            return self._answer(call, 404, {"error": {"code": "NotFound", "message": f"no route {request.method} {request.path}"}})
        return getattr(self, f"_on_{kind}")(call)

    def _answer(self, call: Call, status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
        call.response = payload
        call.status = status
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(payload, status=status, headers=headers)

    def _on_send(self, call: Call) -> web.Response:
        activity_id = self._next_id()
        if isinstance(call.json, dict):
            self.activities[activity_id] = call.json
        return self._answer(call, 201, {"id": activity_id})

    def _on_update(self, call: Call) -> web.Response:
        if isinstance(call.json, dict):
            self.activities[call.activity_id] = call.json
        return self._answer(call, 200, {"id": call.activity_id})

    def _on_delete(self, call: Call) -> web.Response:
        self.activities.pop(call.activity_id, None)
        return self._answer(call, 200, None)

    def _on_create_conversation(self, call: Call) -> web.Response:
        params = call.json if isinstance(call.json, dict) else {}
        members = params.get("members") or []
        one_on_one_key = None
        if not params.get("isGroup") and len(members) == 1 and isinstance(members[0], dict):
            one_on_one_key = members[0].get("id")
        with self._lock:
            conversation_id = self._one_on_one.get(one_on_one_key) if one_on_one_key else None
            if conversation_id is None:
                conversation_id = f"a:new-conv-{next(self._conv_numbers)}"
                if one_on_one_key:
                    self._one_on_one[one_on_one_key] = conversation_id
            self.conversations[conversation_id] = params
        answer: dict[str, Any] = {"id": conversation_id}
        if params.get("activity"):
            activity_id = self._next_id()
            self.activities[activity_id] = params["activity"]
            answer["activityId"] = activity_id
        return self._answer(call, 201, answer)

    def _find_member(self, member_id: str) -> Member | None:
        with self._lock:
            for member in self.members.values():
                if member_id in (member.user_id, member.aad_object_id):
                    return member
        return None

    def _on_get_member(self, call: Call) -> web.Response:
        member = self._find_member(call.member_id or "")
        if member is None:
            return self._answer(
                call,
                404,
                {"error": {"code": "MemberNotFoundInConversation", "message": "The member could not be found in the conversation."}},
            )
        return self._answer(call, 200, member.to_json())

    def _on_members(self, call: Call) -> web.Response:
        with self._lock:
            accounts = [m.to_json() for m in self.members.values()]
        return self._answer(call, 200, accounts)

    def _on_openid(self, call: Call) -> web.Response:
        return self._answer(call, 200, self.openid_configuration())

    def _on_keys(self, call: Call) -> web.Response:
        return self._answer(call, 200, self.jwks())


_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "BotNotInConversationRoster",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "TooManyRequests",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class StaticTokenCredentials(AppCredentials):
    """AppCredentials whose AAD token is fixed: no call to login.microsoftonline.com.

    msrest's AsyncRequestsCredentialsPolicy calls ``signed_session(session)``,
    which (AppCredentials) sets ``Authorization: Bearer <get_access_token()>``
    whenever ``microsoft_app_id`` is set.
    """

    def __init__(self, app_id: str, token: str, oauth_scope: str | None = None) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self.token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self.token


class StaticCredentialsFactory(ServiceClientCredentialsFactory):
    """credentials_factory= for ConfigurationBotFrameworkAuthentication, offline.

    Accepts tokens whose audience is ``app_id``; outbound calls carry
    ``Authorization: Bearer <token>``. ``requests`` records each
    (app_id, oauth_scope, login_endpoint, validate_authority) asked for.
    """

    def __init__(self, app_id: str, token: str = "static-aad-token") -> None:
        self.app_id = app_id
        self.token = token
        self.requests: list[tuple[str, str, str, bool]] = []

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return not self.app_id

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool) -> AppCredentials:
        self.requests.append((app_id, oauth_scope, login_endpoint, validate_authority))
        if app_id != self.app_id:
            raise PermissionError(f"Invalid app_id {app_id!r}")
        return StaticTokenCredentials(app_id, self.token, oauth_scope)


def new_guid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def fake_connector():
    """A started FakeBotConnector, stopped after the test."""
    async with FakeBotConnector() as fake:
        yield fake


def auth_overrides(fake: "FakeBotConnector") -> dict[str, Any]:
    """Public-cloud values, except the OpenID metadata which comes from the fake.

    Setting any TO_BOT_*/TO_CHANNEL_*/OAUTH_URL/CALLER_ID attribute switches
    BotFrameworkAuthenticationFactory to _ParameterizedBotFrameworkAuthentication,
    which then needs ALL of them: the channel issuer in particular (it is the
    only accepted ``iss``; unset means every token is rejected).
    """
    from botframework.connector.auth import AuthenticationConstants

    return dict(
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=fake.openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=CHANNEL_ISSUER,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=fake.openid_metadata_url,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        VALIDATE_AUTHORITY=True,
    )
