"""A title match is a guess: it settles one item, and nothing more is learnt from it."""

from __future__ import annotations

from stellarr.domain.models import MediaType, RequestStatus
from stellarr_testing.harness import Harness
from stellarr_testing.webhooks import TOKEN, plex_episode, post_plex, seed

from .conftest import MakeApi

SHOW_GUID = "plex://show/5d9c08544eb7f2001f8ec9b5"


async def test_an_episode_is_never_matched_by_its_own_title(make_api: MakeApi) -> None:
    api: Harness = await make_api(PLEX_WEBHOOK_TOKEN=TOKEN)
    await seed(api, MediaType.TV, 4242, "Pilot")
    payload = plex_episode("", SHOW_GUID, [], title="Pilot")
    del payload["Metadata"]["grandparentTitle"]
    answer = (await post_plex(api, payload)).json()
    assert (answer["matched_request"], answer["tmdb_id"]) == (False, None)
    request = await api.services.store.get_request(MediaType.TV, 4242)
    assert request is not None and request.status is RequestStatus.PENDING


async def test_a_title_match_is_not_remembered_for_the_show(make_api: MakeApi) -> None:
    api: Harness = await make_api(PLEX_WEBHOOK_TOKEN=TOKEN)
    await seed(api, MediaType.TV, 111, "Ghosts", 2019)
    first = (await post_plex(api, plex_episode("Ghosts", SHOW_GUID, []))).json()
    assert (first["matched_request"], first["tmdb_id"]) == (True, 111)
    # The next episode of that show is not settled by the guess: nothing cached the GUID.
    assert await api.services.show_ids.cached(SHOW_GUID) is None
