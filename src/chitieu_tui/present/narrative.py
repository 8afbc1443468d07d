"""The quarterly report's prose, built from a View in the style of a ward's news report."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Evaluation, Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import current, t
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


def title(view: View) -> str:
    """`Báo cáo kết quả thực hiện chỉ tiêu Quý I/2026`."""
    return official_title(view)


def _mid(text: str) -> str:
    """A label inside a sentence: `quý I/2026` (Vietnamese lowers its first letter)."""
    if current() == "en" or len(text) < 2 or not text[1].islower():
        return text
    return text[:1].lower() + text[1:]


def _join(parts: list[str]) -> str:
    """`a, b và c` / `a, b and c`."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {t('n.and')} {parts[-1]}"


def _percent(ev: Evaluation) -> str:
    return fmt.percent_of(ev)


def _is_money(ev: Evaluation) -> bool:
    return any(word in ev.indicator.unit for word in MONEY_WORDS)


def _opens_with(name: str, openings: tuple[str, ...]) -> str | None:
    folded = name.casefold()
    for opening in openings:
        if folded.startswith(opening):
            return name[: len(opening)]
    return None


def count_phrase(ev: Evaluation, value: float) -> str | None:
    """A deed with its count (Vietnamese only): `kết nạp 6 đảng viên mới` from the name
    `Kết nạp đảng viên mới` and the unit `đảng viên`, when the unit stands in the name after a
    verb of at most two words and more follows it; else None."""
    ind = ev.indicator
    unit = ind.unit.strip()
    if current() == "en" or not unit or unit == "%" or _opens_with(ind.name, QUANTITY_OPENINGS):
        return None
    at = ind.name.find(f" {unit} ")
    if at < 0 or len(ind.name[:at].split()) > 2:
        return None
    phrase = f"{ind.name[:at]} {fmt.number(value)}{ind.name[at:]}"
    return _mid(phrase)


def _target_suffix(ev: Evaluation) -> str:
    ind = ev.indicator
    if ev.status is Status.MET or ind.target is None:
        return ""
    return t("n.target_suffix", target=fmt.with_unit(ind.target, ind.unit))


def sentence(ev: Evaluation) -> str:
    """One indicator in a sentence, its figures as the table shows them."""
    ind = ev.indicator
    name = ind.name
    if ev.entry is None:
        return t("n.no_data", name=name)
    if isinstance(ev.entry.value, bool):
        if ev.entry.value:
            return t("n.milestone_done", name=name)
        return t("n.milestone_not", name=name, due=due_period(ind))
    figure = ev.figure if ev.figure is not None else float(ev.entry.value)
    value = fmt.with_unit(figure, ind.unit)
    if ev.status is Status.UNJUDGED:
        return t("n.value_only", name=name, value=value)
    if ind.kind == "cumulative":
        own = float(ev.entry.value)
        phrase = count_phrase(ev, own) if ind.report == "quarter" else None
        if phrase is not None:
            if ev.period.quarter == 1:
                return t("n.cum_phrase", phrase=phrase, percent=_percent(ev))
            return t("n.cum_phrase_ytd", phrase=phrase, ytd=value, percent=_percent(ev))
        key = "n.cum_money" if _is_money(ev) else "n.cum"
        return t(key, name=name, value=value, percent=_percent(ev))
    suffix = _target_suffix(ev)
    if ind.direction == "decrease":
        return t("n.decrease", name=name, value=value, suffix=suffix)
    verb = _opens_with(name, COMPLETION_VERBS) if ind.unit.strip() == "%" else None
    if verb is not None and current() != "en":
        phrase = f"{name[: len(verb)].rstrip()} {value} {name[len(verb) :]}"
        return t("n.deed", phrase=phrase, suffix=suffix)
    return t("n.level", name=name, value=value, suffix=suffix)


def opening(board: Board) -> str:
    """`Trong quý I/2026, Phường Mỹ Thới có 8/20 chỉ tiêu đạt và vượt kế hoạch, …`."""
    period = _mid(board.period.label())
    unit = board.definitions.unit.name
    if board.progress is None:
        return t("n.no_progress", period=period, unit=unit)
    if not board.judged:
        return t("n.opening_unjudged", period=period, unit=unit, year=board.period.year)
    s = board.summary
    parts = [t("summary_met", n=s.met, total=s.total)]
    for status in STATUS_ORDER[1:]:
        if s.counts[status]:
            parts.append(t(_COUNT_KEYS[status], n=s.counts[status]))
    return t("n.opening", period=period, unit=unit, counts=_join(parts))


def headline(board: Board) -> str:
    """The headline indicators (`[dashboard] headline`), a sentence each."""
    found = [board.get(i) for i in board.definitions.dashboard.headline]
    return " ".join(sentence(ev) for ev in found if ev is not None)


def groups(board: Board) -> str:
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
        part = t("n.group", name=name, met=met, total=total)
        if late:
            part += t("n.group_behind", n=late)
        parts.append(part)
    return t("n.groups", parts="; ".join(parts)) if parts else ""


def behind(board: Board) -> str:
    """The indicators behind pace, by name."""
    names = [ev.indicator.name for ev in board.evaluations if ev.status is Status.BEHIND]
    if not names:
        return ""
    return t("n.behind", names="; ".join(names))


def narrative(view: View) -> list[str]:
    """The report's paragraphs: the quarter's counts, the headline indicators, each field,
    the indicators behind. Every figure is the board's; none is invented."""
    board = view.board
    paragraphs = [opening(board)]
    if board.progress is not None:
        paragraphs.append(headline(board))
    paragraphs += [groups(board), behind(board)]
    return [p for p in paragraphs if p]


def text(view: View) -> str:
    """`chitieu report --format text`: the title, the paragraphs and where figures come from."""
    parts = [title(view), "", *(p + "\n" for p in narrative(view))]
    parts.append(provenance_line(view))
    return "\n".join(parts) + "\n"
