"""Web Push subscriptions of the signed-in user.

A subscription belongs to whoever registered it: another person's endpoint is a 409 when
registering it and a 404 when removing it, and nobody can list anyone else's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from stellarr.api.deps import ServicesDep, SessionDep
from stellarr.domain.push_endpoint import MAX_ENDPOINT_LENGTH
from stellarr.services.push import InvalidSubscription

router = APIRouter(prefix="/api/push")

EndpointText = Annotated[str, Field(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]


class PushKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")

    p256dh: Annotated[str, Field(min_length=1, max_length=200)]
    auth: Annotated[str, Field(min_length=1, max_length=100)]


class SubscribeBody(BaseModel):
    # extra="ignore": PushSubscription.toJSON() also sends expirationTime.
    model_config = ConfigDict(extra="ignore")

    endpoint: EndpointText
    keys: PushKeys


class UnsubscribeBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    endpoint: EndpointText


@router.get("/vapid-public-key")
async def vapid_public_key(services: ServicesDep, session: SessionDep) -> dict[str, str]:
    return {"public_key": await services.push.public_key()}


@router.post("/subscribe", status_code=201)
async def subscribe(
    body: SubscribeBody, response: Response, services: ServicesDep, session: SessionDep
) -> dict[str, str]:
    try:
        created = await services.push.subscribe(
            session.name, body.endpoint, body.keys.p256dh, body.keys.auth
        )
    except InvalidSubscription as exc:
        raise HTTPException(422, str(exc)) from None
    if not created:
        response.status_code = 200
    return {"status": "subscribed" if created else "updated"}


@router.delete("/subscribe")
async def unsubscribe(
    body: UnsubscribeBody, services: ServicesDep, session: SessionDep
) -> dict[str, str]:
    await services.push.unsubscribe(session.name, body.endpoint)
    return {"status": "unsubscribed"}


@router.get("/status")
async def status(
    services: ServicesDep,
    session: SessionDep,
    endpoint: Annotated[str | None, Query(max_length=MAX_ENDPOINT_LENGTH)] = None,
) -> dict[str, object]:
    result = await services.push.status(session.name, endpoint)
    return result.to_json()
