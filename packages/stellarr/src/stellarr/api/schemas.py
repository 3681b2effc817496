"""Request bodies. Limits here are the contract's bad-input rules."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from stellarr.domain.models import MAX_TMDB_ID, MediaType, Monitor

TmdbId = Annotated[int, Field(gt=0, le=MAX_TMDB_ID, strict=False)]


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    origin: Annotated[str, Field(min_length=1, max_length=512)]
    timestamp: int
    hash: Annotated[str, Field(min_length=1, max_length=256)]
    name: str  # its 1 to 50 rule is a 400 in the login service; the body limit bounds it


class SearchBody(BaseModel):
    query: Annotated[str, Field(min_length=1, max_length=200)]
    media_type: MediaType | None = None
    page: Annotated[int, Field(ge=1, le=500)] = 1
    language: Annotated[
        str | None, Field(max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    ] = None


class RequestBody(BaseModel):
    tmdb_id: TmdbId
    media_type: MediaType
    # Which seasons of a show (only where the admin offers the choice); absent: the whole show.
    monitor: Monitor | None = None


class RequestChange(BaseModel):
    monitor: Monitor
