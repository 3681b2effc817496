"""A title from TMDB and a name typed at login reach the NOTIFY_URLS channels (through Apprise,
to a real `json://` target) with every ping and link made inert, and every word still there;
names that are a call to the whole room are refused at login."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stellarr.domain.mentions import ZWSP
from stellarr.domain.models import MediaType, utcnow
from stellarr_testing.chat_syntax import live_syntax
from stellarr_testing.fake_notify import FakeNotifyTarget
from stellarr_testing.fake_tmdb import FakeTMDB
from stellarr_testing.harness import USER_PASSWORD, Harness
from stellarr_testing.login import login_body

from .conftest import MakeApi

SHOW_ID = 66732  # Stranger Things (2016) in the recorded TMDB payloads
HOSTILE_TITLE = "@everyone [click](https://evil.example)"


@pytest.fixture
def hostile_tmdb(fake_tmdb: FakeTMDB) -> FakeTMDB:
    fake_tmdb.shows[SHOW_ID]["name"] = HOSTILE_TITLE
    return fake_tmdb


def assert_inert(sent: str, meant: str) -> None:
    assert live_syntax(sent) == [], sent
    assert sent.replace(ZWSP, "") == meant  # readable: only invisible characters were added


async def test_a_hostile_title_by_a_hostile_name_pings_nobody(
    make_api: MakeApi, notify_target: FakeNotifyTarget, hostile_tmdb: FakeTMDB
) -> None:
    api = await make_api(NOTIFY_URLS=notify_target.url())
    name = "@alice <@&42>"  # a name may hold mention syntax; only what it does changes
    response = await api.client.post(
        "/api/request",
        json={"tmdb_id": SHOW_ID, "media_type": "tv"},
        headers=await api.login(name),
    )
    assert response.status_code == 201, response.text
    [announced] = notify_target.messages()
    assert_inert(announced.body["title"], f"New request: {HOSTILE_TITLE} (2016)")
    assert_inert(announced.body["message"], f"{name} requested the TV show {HOSTILE_TITLE} (2016).")

    # A requester named "@here" (saved before such names were refused, or from a token
    # issued then) is told about the same way.
    stored = await api.services.store.get_request(MediaType.TV, SHOW_ID)
    assert stored is not None
    await api.services.notifier.request_created(replace(stored, requested_by="@here"))
    assert_inert(
        notify_target.messages()[-1].body["message"],
        f"@here requested the TV show {HOSTILE_TITLE} (2016).",
    )

    assert await api.services.store.mark_added(MediaType.TV, SHOW_ID, utcnow())
    added = await api.services.store.get_request(MediaType.TV, SHOW_ID)
    assert added is not None
    assert await api.services.notifier.fulfilled(added) is True
    done = notify_target.messages()[-1].body
    assert done["title"] == "TV Show Available"
    assert_inert(done["message"], f"{HOSTILE_TITLE} has been added to the library!")


# "\uff20" is a full-width "@", which NFKC reads as the ordinary one.
@pytest.mark.parametrize(
    "name", ["@here", "@everyone", " @Channel ", "@ALL", "@room", "\uff20here"]
)
async def test_a_call_to_the_whole_room_is_no_name(api: Harness, name: str) -> None:
    response = await api.client.post("/api/auth/verify", json=login_body(USER_PASSWORD, name))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "name must not be a mention of everyone, such as @here or @everyone"
    )


async def test_a_handle_is_still_a_name(api: Harness) -> None:
    response = await api.client.post("/api/auth/verify", json=login_body(USER_PASSWORD, "@alice"))
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "@alice"
