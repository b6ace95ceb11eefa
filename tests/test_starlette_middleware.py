"""An asgikit app under Starlette's SessionMiddleware and AuthenticationMiddleware: the
``Request.session``/``user``/``auth`` properties read what the middleware put in the scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
)
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp as StarletteApp

from asgikit import Request
from asgikit.asgi import ASGIApp, Receive, Scope, Send
from asgikit.testing import Client

TOKENS = {"token-alice": "alice", "token-bob": "bob"}


class TokenBackend(AuthenticationBackend):
    """``Authorization: Bearer <token>`` for the users in ``TOKENS``."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        scheme, _, token = conn.headers.get("authorization", "").partition(" ")
        name = TOKENS.get(token) if scheme.lower() == "bearer" else None
        if name is None:
            return None
        return AuthCredentials(["authenticated", f"user:{name}"]), SimpleUser(name)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """``/login`` stores the user's name in the session; ``/whoami`` reports session and auth."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    session = cast("dict[str, object]", request.session)
    user = request.user
    auth = request.auth
    assert isinstance(user, BaseUser)
    assert isinstance(auth, AuthCredentials)
    if request.path == "/login":
        session["name"] = user.display_name
        session["visits"] = 0
        await request.respond_empty()
        return
    if "visits" in session:
        session["visits"] = cast("int", session["visits"]) + 1
    await request.respond_json(
        {
            "authenticated": user.is_authenticated,
            "user": user.display_name,
            "scopes": auth.scopes,
            "session": session,
        }
    )


def wrapped() -> StarletteApp:
    # Starlette types apps with plain mappings; the app uses the precise asgikit.asgi types.
    inner = cast("Callable[..., Awaitable[None]]", app)
    return SessionMiddleware(
        AuthenticationMiddleware(inner, backend=TokenBackend()),
        secret_key="test-secret",
        https_only=False,
    )


def client() -> Client:
    """The middleware stack in process; every event it sends is checked against ASGI."""
    return Client(cast("ASGIApp", wrapped()))


async def test_anonymous_request_sees_unauthenticated_user_and_empty_session() -> None:
    async with client() as http:
        response = await http.get("/whoami")
    assert response.status_code == 200
    assert response.json() == {"authenticated": False, "user": "", "scopes": [], "session": {}}
    assert "set-cookie" not in response.headers


async def test_authenticated_request_sees_user_and_credentials() -> None:
    async with client() as http:
        response = await http.get("/whoami", headers={"authorization": "Bearer token-bob"})
    assert response.json() == {
        "authenticated": True,
        "user": "bob",
        "scopes": ["authenticated", "user:bob"],
        "session": {},
    }


async def test_session_written_by_the_app_round_trips_through_the_cookie() -> None:
    async with client() as http:
        login = await http.get("/login", headers={"authorization": "Bearer token-alice"})
        assert login.status_code == 204
        assert login.headers["set-cookie"].startswith("session=")
        first = await http.get("/whoami")
        second = await http.get("/whoami")
    # The session cookie carries alice's name to later, unauthenticated requests.
    assert first.json() == {
        "authenticated": False,
        "user": "",
        "scopes": [],
        "session": {"name": "alice", "visits": 1},
    }
    assert second.json()["session"] == {"name": "alice", "visits": 2}


async def test_tampered_session_cookie_is_ignored() -> None:
    async with client() as http:
        response = await http.get("/whoami", headers={"cookie": "session=forged.value.sig"})
    assert response.json()["session"] == {}
