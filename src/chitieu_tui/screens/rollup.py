"""The roll-up: many units side by side, their totals, and a way into each unit."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, ProgressBar, Static

from chitieu_tui.core.collection import Collection
from chitieu_tui.i18n import t
from chitieu_tui.present.rollup import (
    header_text,
    left_out_text,
    legend,
    offline_text,
    summary_text,
)
from chitieu_tui.screens.filtering import FilterActions
from chitieu_tui.screens.localized import LocalizedBindings
from chitieu_tui.widgets.key_bar import KeyBar
from chitieu_tui.widgets.scorecard import Scorecard


def legend_content(lang: str) -> Content:
    """`✓ Đạt/vượt  ▲ Đúng tiến độ  ▼ Chậm tiến độ  · Chưa có số liệu`, marks in colour."""
    parts: list[Content | tuple[str, str] | str] = []
    for mark, word, colour in legend(lang):
        if parts:
            parts.append("   ")
        parts += [(mark, f"bold {colour}"), " ", (word, "$foreground-muted")]
    return Content.assemble(*parts)


class RollupScreen(FilterActions, LocalizedBindings, Screen[None]):
    """Header, summary, loading and offline notes, filter box, scorecard, keys."""

    AUTO_FOCUS = "#scorecard"
    FILTER_BOX = "rollup-filter"
    DEFAULT_CSS = """
    #rollup-legend, #rollup-left-out { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("q", "app.quit", "quit"),
        Binding("r", "app.reload", "reload"),
        Binding("enter", "open", "rollup.open", key_display="Enter"),
        Binding("left_square_bracket", "app.period(-1)", "quarter", key_display="[ ]"),
        Binding("right_square_bracket", "app.period(1)", show=False),
        Binding("t", "app.today", "today_key", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("b", "behind", "behind"),
        Binding("o", "sort", "sort"),
        Binding("question_mark", "app.help", "help", key_display="?"),
        Binding("ctrl+p", "app.command_palette", "key.palette", key_display="Ctrl+P"),
        Binding("escape", "clear_filter", show=False),
    ]

    def __init__(self, lang: str = "vi") -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        """The parts of the screen (the notes hidden until needed)."""
        lang = self.lang
        yield Static(Text(t(lang, "loading")), id="rollup-header", markup=False)
        yield Static(Text(""), id="rollup-summary", markup=False)
        bar = ProgressBar(show_eta=False, id="rollup-progress")
        bar.display = False
        yield bar
        note = Static(Text(""), id="rollup-note", markup=False)
        note.display = False
        yield note
        box = Input(
            placeholder=t(lang, "rollup.filter_placeholder"), id="rollup-filter", compact=True
        )
        box.display = False
        yield box
        yield Scorecard(lang, id="scorecard")
        yield Static(legend_content(lang), id="rollup-legend")
        left_out = Static(Text(""), id="rollup-left-out", markup=False)
        left_out.display = False
        yield left_out
        yield KeyBar()

    @property
    def table(self) -> Scorecard:
        """The scorecard."""
        return self.query_one(Scorecard)

    def show(self, collection: Collection) -> None:
        """Put the collection's current views on screen."""
        lang = self.lang
        self.query_one("#rollup-header", Static).update(Text(header_text(collection, lang)))
        self.query_one("#rollup-summary", Static).update(Text(summary_text(collection, lang)))
        notes = [offline_text(collection, lang)]
        broken = sum(1 for m in collection.members if m.error is not None)
        if broken:
            notes.append(t(lang, "rollup.broken", n=broken))
        note = self.query_one("#rollup-note", Static)
        text = " · ".join(n for n in notes if n)
        note.update(Text(text))
        note.display = bool(text)
        self.table.show(collection)
        left_out = self.query_one("#rollup-left-out", Static)
        words = left_out_text(collection, self.table.columns_ids, lang)
        left_out.update(Text(words))
        left_out.display = bool(words)

    def show_progress(self, done: int, total: int) -> None:
        """`Đang tải 12/150 đơn vị…` and a bar, while a server's units load."""
        bar = self.query_one("#rollup-progress", ProgressBar)
        bar.update(total=total, progress=done)
        bar.display = done < total
        header = self.query_one("#rollup-header", Static)
        if done < total:
            header.update(Text(t(self.lang, "rollup.loading", done=done, total=total)))

    def show_error(self, text: str) -> None:
        """Why nothing could be shown (the unit list could not be had)."""
        note = self.query_one("#rollup-note", Static)
        note.update(Text(f"{t(self.lang, 'load_failed')}\n\n{text}"))
        note.add_class("-error")
        note.display = True
        self.query_one("#rollup-progress", ProgressBar).display = False

    def action_open(self) -> None:
        """Enter: open the unit under the cursor."""
        from chitieu_tui.messages import OpenUnit

        index = self.table.current_index()
        if index is not None:
            self.post_message(OpenUnit(index))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the official types."""
        self.table.set_query(event.value)
