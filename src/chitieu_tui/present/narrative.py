"""The quarterly report's prose, built from a View in the style of a ward's news report."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Evaluation, Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.i18n.vocabulary import COMPLETION_VERBS, MONEY_WORDS, QUANTITY_OPENINGS
from chitieu_tui.present import fmt
from chitieu_tui.present.cells import due_period
from chitieu_tui.present.official import provenance_line
from chitieu_tui.present.official import title as official_title

_COUNT_KEYS = {
    Status.ON_TRACK: "n.count_on_track",
    Status.BEHIND: "n.count_behind",
    Status.NO_DATA: "n.count_no_data",
}


def title(view: View, lang: str = "vi") -> str:
    """`Báo cáo kết quả thực hiện chỉ tiêu Quý I/2026`."""
    return official_title(view, lang)


def _mid(text: str, lang: str) -> str:
    """A label inside a sentence: `quý I/2026` (Vietnamese lowers its first letter)."""
    if lang == "en" or len(text) < 2 or not text[1].islower():
        return text
    return text[:1].lower() + text[1:]


def _join(parts: list[str], lang: str) -> str:
    """`a, b và c` / `a, b and c`."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {t(lang, 'n.and')} {parts[-1]}"


def _percent(ev: Evaluation, lang: str) -> str:
    return fmt.percent_of(ev, lang)


def _is_money(ev: Evaluation) -> bool:
    return any(word in ev.indicator.unit for word in MONEY_WORDS)


def _opens_with(name: str, openings: tuple[str, ...]) -> str | None:
    folded = name.casefold()
    for opening in openings:
        if folded.startswith(opening):
            return name[: len(opening)]
    return None


def count_phrase(ev: Evaluation, value: float, lang: str) -> str | None:
    """A deed with its count (Vietnamese only): `kết nạp 6 đảng viên mới` from the name
    `Kết nạp đảng viên mới` and the unit `đảng viên`, when the unit stands in the name after a
    verb of at most two words and more follows it; else None."""
    ind = ev.indicator
    unit = ind.unit.strip()
    if lang == "en" or not unit or unit == "%" or _opens_with(ind.name, QUANTITY_OPENINGS):
        return None
    at = ind.name.find(f" {unit} ")
    if at < 0 or len(ind.name[:at].split()) > 2:
        return None
    phrase = f"{ind.name[:at]} {fmt.number(value, lang)}{ind.name[at:]}"
    return _mid(phrase, lang)


def _target_suffix(ev: Evaluation, lang: str) -> str:
    ind = ev.indicator
    if ev.status is Status.MET or ind.target is None:
        return ""
    return t(lang, "n.target_suffix", target=fmt.with_unit(ind.target, ind.unit, lang))


def sentence(ev: Evaluation, lang: str = "vi") -> str:
    """One indicator in a sentence, its figures as the table shows them."""
    ind = ev.indicator
    name = ind.name
    if ev.entry is None:
        return t(lang, "n.no_data", name=name)
    if isinstance(ev.entry.value, bool):
        if ev.entry.value:
            return t(lang, "n.milestone_done", name=name)
        return t(lang, "n.milestone_not", name=name, due=due_period(ind, lang))
    figure = ev.figure if ev.figure is not None else float(ev.entry.value)
    value = fmt.with_unit(figure, ind.unit, lang)
    if ev.status is Status.UNJUDGED:
        return t(lang, "n.value_only", name=name, value=value)
    if ind.kind == "cumulative":
        own = float(ev.entry.value)
        phrase = count_phrase(ev, own, lang) if ind.report == "quarter" else None
        if phrase is not None:
            if ev.period.quarter == 1:
                return t(lang, "n.cum_phrase", phrase=phrase, percent=_percent(ev, lang))
            return t(lang, "n.cum_phrase_ytd", phrase=phrase, ytd=value, percent=_percent(ev, lang))
        key = "n.cum_money" if _is_money(ev) else "n.cum"
        return t(lang, key, name=name, value=value, percent=_percent(ev, lang))
    suffix = _target_suffix(ev, lang)
    if ind.direction == "decrease":
        return t(lang, "n.decrease", name=name, value=value, suffix=suffix)
    verb = _opens_with(name, COMPLETION_VERBS) if ind.unit.strip() == "%" else None
    if verb is not None and lang != "en":
        phrase = f"{name[: len(verb)].rstrip()} {value} {name[len(verb) :]}"
        return t(lang, "n.deed", phrase=phrase, suffix=suffix)
    return t(lang, "n.level", name=name, value=value, suffix=suffix)


def opening(board: Board, lang: str = "vi") -> str:
    """`Trong quý I/2026, Phường Mỹ Thới có 8/20 chỉ tiêu đạt và vượt kế hoạch, …`."""
    period = _mid(board.period.label(lang), lang)
    unit = board.definitions.unit.name
    if board.progress is None:
        return t(lang, "n.no_progress", period=period, unit=unit)
    if not board.judged:
        return t(lang, "n.opening_unjudged", period=period, unit=unit, year=board.period.year)
    s = board.summary
    parts = [t(lang, "summary_met", n=s.met, total=s.total)]
    for status in STATUS_ORDER[1:]:
        if s.counts[status]:
            parts.append(t(lang, _COUNT_KEYS[status], n=s.counts[status]))
    return t(lang, "n.opening", period=period, unit=unit, counts=_join(parts, lang))


def headline(board: Board, lang: str = "vi") -> str:
    """The headline indicators (`[dashboard] headline`), a sentence each."""
    found = [board.get(i) for i in board.definitions.dashboard.headline]
    return " ".join(sentence(ev, lang) for ev in found if ev is not None)


def groups(board: Board, lang: str = "vi") -> str:
    """Per field: met of total, and how many behind."""
    if not board.judged or board.progress is None:
        return ""
    parts = []
    for gid, name, met, total in board.summary.groups:
        late = sum(
            1
            for ev in board.evaluations
            if ev.indicator.group == gid and ev.status is Status.BEHIND
        )
        part = t(lang, "n.group", name=name, met=met, total=total)
        if late:
            part += t(lang, "n.group_behind", n=late)
        parts.append(part)
    return t(lang, "n.groups", parts="; ".join(parts)) if parts else ""


def behind(board: Board, lang: str = "vi") -> str:
    """The indicators behind pace, by name."""
    names = [ev.indicator.name for ev in board.evaluations if ev.status is Status.BEHIND]
    if not names:
        return ""
    return t(lang, "n.behind", names="; ".join(names))


def narrative(view: View, lang: str = "vi") -> list[str]:
    """The report's paragraphs: the quarter's counts, the headline indicators, each field,
    the indicators behind. Every figure is the board's; none is invented."""
    board = view.board
    paragraphs = [opening(board, lang)]
    if board.progress is not None:
        paragraphs.append(headline(board, lang))
    paragraphs += [groups(board, lang), behind(board, lang)]
    return [p for p in paragraphs if p]


def text(view: View, lang: str = "vi") -> str:
    """`chitieu report --format text`: the title, the paragraphs and where figures come from."""
    parts = [title(view, lang), "", *(p + "\n" for p in narrative(view, lang))]
    parts.append(provenance_line(view, lang))
    return "\n".join(parts) + "\n"
