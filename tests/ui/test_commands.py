"""The command palette lists every action; the status bar's badge; the language-model modal."""

from textual.command import CommandPalette

from assistant.tui.commands import CitewiseCommands
from assistant.tui.screens.doctor import Doctor
from tests.ui.pilot import AppFactory, opened, settle


async def test_palette_offers_the_screen_and_app_actions(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        provider = CitewiseCommands(app.screen)
        found = [hit.text async for hit in provider.discover()]
        for title in ("Export", "Copy", "New", "Ask", "Library", "Map", "Draft", "History", "LLM"):
            assert title in found
        hits = [hit async for hit in provider.search("libr")]
        assert [hit.text for hit in hits] == ["Library"]
        await hits[0].command()
        await pilot.pause()
        assert app.current_mode == "library"
        names = [hit.text async for hit in CitewiseCommands(app.screen).discover()]
        assert {"Add papers", "Filter", "Open", "Mark", "Remove", "Sort"} <= set(names)


async def test_palette_opens_from_the_keyboard(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"draft", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "draft"


async def test_evidence_badge_and_the_model_set_up(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        badge = app.screen.query_one("#status-evidence")
        assert app.evidence and badge.display
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, Doctor)
        lines = str(app.screen.query_one("#lines").render())
        assert "LLM backend: none" in lines and "OPENAI_BASE_URL" in lines
        await pilot.press("escape")
        assert not isinstance(app.screen, Doctor)
