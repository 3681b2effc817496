from __future__ import annotations

from fastapi import APIRouter, Request

from stellarr.api.deps import ClientIPDep, ServicesDep, SettingsDep
from stellarr.api.schemas import LoginBody
from stellarr.domain.challenge import ITERATIONS

router = APIRouter()


@router.get("/api/auth/params")
async def params() -> dict[str, int]:
    return {"iterations": ITERATIONS}


@router.post("/api/auth/verify")
async def verify(
    body: LoginBody,
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    ip: ClientIPDep,
) -> dict[str, object]:
    arrived_on = f"{request.url.scheme}://{request.headers.get('host', '')}"
    result = await services.login.login(
        settings,
        origin=body.origin,
        timestamp=body.timestamp,
        presented_hash=body.hash,
        name=body.name,
        client_ip=ip,
        request_origin=arrived_on,
    )
    return {"valid": True, "token": result.token, "name": result.name, "role": result.role}
