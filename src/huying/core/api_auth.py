"""API authentication: a bearer token, or the browser's session (with CSRF)."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from huying.orgs import authentication


class BearerToken(HttpBearer):
    openapi_description = "POST /api/v1/auth/token 获取的令牌：Authorization: Bearer hy_…"

    def authenticate(self, request: HttpRequest, token: str):
        user = authentication.authenticate_token(token)
        request.user = user
        return user


API_AUTH = [BearerToken(), django_auth]
