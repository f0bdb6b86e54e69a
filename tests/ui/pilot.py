"""What the TUI tests do with the pilot: wait for the app, ask, read its toasts."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widgets import Input

from assistant.tui.app import CitewiseApp

AppFactory = Callable[..., CitewiseApp]
M = TypeVar("M", bound=Message)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker runs, including those that finishing workers started."""
    app = pilot.app
    await pilot.pause()
    while any(not worker.is_finished for worker in app.workers):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def opened(pilot: Pilot[None]) -> None:
    """Wait until the app's library is open and every screen that shows it is up to date."""
    app = pilot.app
    assert isinstance(app, CitewiseApp)
    await app.context.ready()
    await settle(pilot)


async def ask(pilot: Pilot[None], question: str) -> None:
    """Type a question, press Enter, and wait until its answer is shown."""
    app = pilot.app
    app.screen.query_one("#question").focus()
    await pilot.press(*question)
    await pilot.press("enter")
    await settle(pilot)


def unique(messages: Iterable[M]) -> list[M]:
    """Each message once (the hook sees a message at every node it bubbles through)."""
    return list({id(m): m for m in messages}.values())


def toasts(messages: Iterable[Message]) -> list[Notification]:
    return [m.notification for m in unique(m for m in messages if isinstance(m, Notify))]


async def answer_prompt(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` into the open path prompt (replacing its default) and press Enter."""
    pilot.app.screen.query_one("#path", Input).value = text
    await pilot.press("enter")
    await pilot.pause()
