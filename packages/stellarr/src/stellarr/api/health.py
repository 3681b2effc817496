from fastapi import APIRouter, Response

from stellarr.api.deps import ServicesDep

router = APIRouter()


@router.get("/api/health")
async def health(services: ServicesDep, response: Response) -> dict[str, str]:
    if await services.health.healthy():
        return {"status": "healthy", "service": "stellarr"}
    # 503 so monitors and load balancers see it; the reason is in the server's log.
    response.status_code = 503
    return {"status": "degraded", "service": "stellarr", "detail": "The store cannot be written"}
