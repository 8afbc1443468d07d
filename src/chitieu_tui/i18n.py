"""UI strings of the dashboard in Vietnamese and English."""

from __future__ import annotations

import unicodedata
from typing import Any

STRINGS: dict[str, dict[str, str]] = {
    "vi": {
        "quit": "thoát",
        "reload": "làm mới",
        "snapshot": "lưu snapshot",
        "filter": "lọc",
        "behind": "chỉ chậm",
        "sort": "sắp xếp",
        "help": "trợ giúp",
        "quarter": "quý",
        "close": "đóng",
        "open": "chi tiết",
        "source": "nguồn",
        "offline": "ngoại tuyến",
        "read_only": "chỉ đọc",
        "loading": "Đang tải số liệu…",
        "load_failed": "Không đọc được số liệu",
        "saved": "Đã lưu snapshot: {path}",
        "no_snapshot": "Chưa có số liệu để lưu snapshot",
        "col_name": "Chỉ tiêu",
        "col_unit": "ĐVT",
        "col_value": "Số liệu",
        "col_target": "Kế hoạch",
        "col_percent": "% KH",
        "col_expected": "Dự kiến",
        "col_status": "Đánh giá",
        "table_all": "Tất cả chỉ tiêu",
        "table_behind": "Chỉ tiêu chậm tiến độ",
        "table_filter": "lọc “{query}”",
        "table_sort": "xếp theo {column}",
        "col_order": "thứ tự",
        "filter_placeholder": "Lọc theo tên, mã hoặc lĩnh vực… (Enter: xong, Esc: bỏ lọc)",
        "group_met": "{met}/{total} đạt",
        "expected": "dự kiến",
        "due": "hạn",
        "yoy": "so cùng kỳ",
        "of_target": "kế hoạch",
        "just_now": "vừa xong",
        "minutes_ago": "{n} phút trước",
        "hours_ago": "{n} giờ trước",
        "days_ago": "{n} ngày trước",
        "help_title": "Trợ giúp — phím tắt",
        "help_footer": "Nhấn Esc hoặc ? để đóng.",
        "help_q": "thoát chương trình",
        "help_r": "đọc lại số liệu",
        "help_s": "lưu snapshot của quý đang xem",
        "help_slash": "lọc theo tên, mã, lĩnh vực (không phân biệt dấu)",
        "help_b": "chỉ hiện chỉ tiêu chậm tiến độ (bật/tắt)",
        "help_o": "đổi cột sắp xếp (hoặc bấm vào tiêu đề cột)",
        "help_brackets": "quý trước / quý sau",
        "help_enter": "xem chi tiết chỉ tiêu",
        "help_escape": "đóng cửa sổ, bỏ lọc",
        "help_question": "trợ giúp này",
        "d_group": "Lĩnh vực",
        "d_kind": "Loại",
        "d_unit": "Đơn vị tính",
        "d_target": "Kế hoạch năm",
        "d_plan": "Kế hoạch theo quý",
        "d_baseline": "Mốc ban đầu",
        "d_due": "Hạn hoàn thành",
        "d_direction": "Chiều",
        "d_owner": "Phụ trách",
        "d_note": "Ghi chú",
        "d_value_note": "Ghi chú số liệu",
        "d_value": "Số liệu quý",
        "d_ytd": "Lũy kế từ đầu năm",
        "d_expected": "Tiến độ dự kiến",
        "d_percent": "% kế hoạch năm",
        "d_status": "Đánh giá",
        "d_history": "Theo quý",
        "d_provenance": "Nguồn số liệu",
        "d_as_of": "Số liệu tính đến",
        "d_period": "Quý",
        "kind_cumulative": "cộng dồn",
        "kind_level": "mức đạt",
        "kind_milestone": "mốc việc",
        "dir_increase": "càng cao càng tốt",
        "dir_decrease": "càng thấp càng tốt",
    },
    "en": {
        "quit": "quit",
        "reload": "reload",
        "snapshot": "snapshot",
        "filter": "filter",
        "behind": "behind only",
        "sort": "sort",
        "help": "help",
        "quarter": "quarter",
        "close": "close",
        "open": "details",
        "source": "source",
        "offline": "offline",
        "read_only": "read-only",
        "loading": "Loading…",
        "load_failed": "Could not read the data",
        "saved": "Snapshot saved: {path}",
        "no_snapshot": "Nothing loaded to snapshot yet",
        "col_name": "Indicator",
        "col_unit": "Unit",
        "col_value": "Value",
        "col_target": "Target",
        "col_percent": "% target",
        "col_expected": "Expected",
        "col_status": "Status",
        "table_all": "All indicators",
        "table_behind": "Behind schedule",
        "table_filter": "filter “{query}”",
        "table_sort": "sorted by {column}",
        "col_order": "order",
        "filter_placeholder": "Filter by name, id or field… (Enter: done, Esc: clear)",
        "group_met": "{met}/{total} met",
        "expected": "expected",
        "due": "due",
        "yoy": "vs last year",
        "of_target": "of target",
        "just_now": "just now",
        "minutes_ago": "{n} min ago",
        "hours_ago": "{n} h ago",
        "days_ago": "{n} days ago",
        "help_title": "Help — keys",
        "help_footer": "Press Esc or ? to close.",
        "help_q": "quit",
        "help_r": "reload the data",
        "help_s": "save a snapshot of the quarter shown",
        "help_slash": "filter by name, id or field (accents ignored)",
        "help_b": "show only indicators behind schedule (toggle)",
        "help_o": "change the sort column (or click a column header)",
        "help_brackets": "previous / next quarter",
        "help_enter": "indicator details",
        "help_escape": "close a window, clear the filter",
        "help_question": "this help",
        "d_group": "Field",
        "d_kind": "Kind",
        "d_unit": "Unit",
        "d_target": "Annual target",
        "d_plan": "Plan by quarter",
        "d_baseline": "Baseline",
        "d_due": "Due",
        "d_direction": "Direction",
        "d_owner": "Owner",
        "d_note": "Note",
        "d_value_note": "Value note",
        "d_value": "Value this quarter",
        "d_ytd": "Year to date",
        "d_expected": "Expected by now",
        "d_percent": "% of annual target",
        "d_status": "Status",
        "d_history": "By quarter",
        "d_provenance": "Provenance",
        "d_as_of": "Figures as of",
        "d_period": "Quarter",
        "kind_cumulative": "cumulative",
        "kind_level": "level",
        "kind_milestone": "milestone",
        "dir_increase": "higher is better",
        "dir_decrease": "lower is better",
    },
}


def t(lang: str, key: str, **values: Any) -> str:
    """The UI string `key` in `lang` (Vietnamese when unknown), formatted with `values`."""
    text = STRINGS.get(lang, STRINGS["vi"]).get(key) or STRINGS["vi"].get(key, key)
    return text.format(**values) if values else text


def fold(text: str) -> str:
    """Lower case without diacritics (`Đảng` → `dang`), for forgiving search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def localize_bindings(node: Any, lang: str) -> None:
    """Replace the footer descriptions of `node`'s bindings (i18n keys) with words in `lang`."""
    import dataclasses

    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [
            dataclasses.replace(b, description=t(lang, b.description)) if b.description else b
            for b in group
        ]
        for key, group in bindings.key_to_bindings.items()
    }
