"""Background work: inline where nothing may outlive a response, tracked tasks otherwise."""

from __future__ import annotations

import asyncio

from stellarr.services.background import Background


async def test_inline_work_is_done_when_run_returns() -> None:
    done: list[str] = []

    async def work() -> None:
        await asyncio.sleep(0)
        done.append("sent")

    await Background(detached=False).run(work())
    assert done == ["sent"]


async def test_detached_work_runs_after_and_closing_waits_for_it() -> None:
    release = asyncio.Event()
    done: list[str] = []

    async def work() -> None:
        await release.wait()
        done.append("sent")

    background = Background(detached=True)
    await background.run(work())
    assert done == []  # run() did not wait for the slow channel
    release.set()
    await background.drain(grace=5)
    assert done == ["sent"]


async def test_closing_cancels_work_that_outlives_the_grace_period() -> None:
    cancelled: list[bool] = []

    async def stuck() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    background = Background(detached=True)
    await background.run(stuck())
    await asyncio.sleep(0)  # let it start waiting
    await background.drain(grace=0.01)
    assert cancelled == [True]
