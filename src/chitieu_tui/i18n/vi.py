"""Every string an official reads, in Vietnamese: the vi catalog."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- screens, widgets and reports (UI) ---
    "quit": "thoát",
    "reload": "làm mới",
    "snapshot": "lưu snapshot",
    "filter": "lọc",
    "behind": "chậm",
    "sort": "sắp xếp",
    "help": "trợ giúp",
    "quarter": "quý",
    "close": "đóng",
    "open": "chi tiết",
    "sample": "mẫu có sẵn",
    "source": "nguồn",
    "offline": "ngoại tuyến",
    "read_only": "chỉ đọc",
    "loading": "Đang tải số liệu…",
    "load_failed": "Không đọc được số liệu",
    "saved": "Đã lưu snapshot: {path}",
    "no_snapshot": "Chưa có số liệu để lưu snapshot",
    "col_name": "Chỉ tiêu",
    "col_unit": "ĐVT",
    "col_owner": "Phụ trách",
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
    "d_modified": "Sửa lần cuối",
    "d_from": "Lấy từ",
    "ytd_short": "lũy kế",
    "from_file": "tệp",
    "from_api": "máy chủ",
    "from_snapshot": "snapshot",
    "d_period": "Quý",
    "kind_cumulative": "cộng dồn",
    "kind_level": "mức đạt",
    "kind_milestone": "mốc việc",
    "dir_increase": "càng cao càng tốt",
    "dir_decrease": "càng thấp càng tốt",
    "enter": "nhập số liệu",
    "help_e": "nhập số liệu cho chỉ tiêu đang chọn",
    "e_title": "Nhập số liệu · {period}",
    "e_value": "Số liệu",
    "e_value_milestone": "Đã xong? (có / chưa)",
    "e_note": "Ghi chú (để trống: giữ ghi chú cũ)",
    "e_current": "Hiện tại: {value}",
    "e_save": "Lưu",
    "e_cancel": "Hủy",
    "e_saving": "Đang lưu…",
    "e_saved": "Đã lưu {name}: {value}",
    "e_read_only": "Nguồn này chỉ đọc: không nhập được số liệu",
    "e_no_row": "Chọn một chỉ tiêu trong bảng trước",
    "e_hint": "Dùng dấu phẩy cho phần thập phân: 32,5 · dấu chấm ngăn nghìn: 1.430",
    "no_progress": "chưa có số liệu",
    "as_of": "số liệu đến {date}",
    "reloaded": "Đã đọc lại số liệu",
    "failing": "tệp lỗi, số liệu cũ",
    "snapshot_failing": "Không lưu snapshot: số liệu trên màn hình là bản cũ vì tệp đang lỗi; sửa tệp trước",
    "retry_hint": "Sẽ tự thử lại sau mỗi {n} giây; nhấn r để thử ngay.",
    "d_pace": "Tiến độ cả năm",
    "d_remaining": "Còn thiếu",
    "d_per_quarter": "Mỗi quý còn lại cần",
    "d_per_month": "Mỗi tháng còn lại cần",
    "d_projection": "Dự báo cuối năm (theo nhịp hiện tại)",
    "d_met_already": "đã đạt kế hoạch năm",
    "d_last_year": "Cùng kỳ năm trước",
    # --- core: files and data ---
    # (keys of this section go here)
    # --- entry: typed values and writing ---
    # (keys of this section go here)
    # --- remote: client and API source ---
    # (keys of this section go here)
    # --- remote: server ---
    # (keys of this section go here)
    "err.server.status_400": "Yêu cầu không hợp lệ",
    "err.server.status_401": "Chưa xác thực",
    "err.server.status_403": "Không được phép",
    "err.server.status_404": "Không tìm thấy",
    "err.server.status_405": "Phương thức không được phép",
    "err.server.status_500": "Lỗi máy chủ",
    "err.server.status_503": "Tạm thời không phục vụ được",
    "err.server.unknown_unit": 'không có đơn vị "{unit}"',
    "err.server.no_progress": 'đơn vị "{unit}" chưa có số liệu kỳ {period}',
    "err.server.bad_period": 'kỳ phải có dạng 2026-Q1, nhận được "{period}"',
    "err.server.no_route": 'không có tài nguyên "{path}" (xem {openapi})',
    "err.server.read_only": "API này chỉ để đọc: hãy dùng GET",
    "err.server.token_missing": "máy chủ này cần mã truy cập (Authorization: Bearer …)",
    "err.server.token_invalid": "mã truy cập không hợp lệ",
    "err.server.broken_file": (
        "một tệp số liệu trên máy chủ bị hỏng: {file} ({kind}); "
        "chi tiết có trong nhật ký của máy chủ"
    ),
    "err.server.broken_file_more": (
        "một tệp số liệu trên máy chủ bị hỏng: {file} ({kind}) và {more} lỗi khác; "
        "chi tiết có trong nhật ký của máy chủ"
    ),
    "err.server.kind_invalid": "nội dung không hợp lệ",
    "err.server.outside": "dẫn ra ngoài thư mục được phục vụ; không phục vụ",
    "err.server.slow_file": (
        'đọc tệp {file} của đơn vị "{unit}" quá lâu; các đơn vị khác không bị ảnh hưởng; '
        "hãy thử lại sau"
    ),
    "err.server.unexpected": "lỗi máy chủ không lường trước",
    "err.server.no_data": "không có chitieu.toml trong thư mục này hay các thư mục con",
    "err.server.port_range": "cổng phải là số nguyên từ 1 đến 65535, nhận được {port}",
    "err.server.port_in_use": (
        "không thể lắng nghe trên {address}: cổng đã có chương trình khác dùng; "
        "hãy chọn cổng khác bằng --port"
    ),
    "err.server.cannot_bind": "không thể lắng nghe trên {address}: {reason}",
    "err.server.bad_host": "không thể lắng nghe trên {address}: tên máy hay địa chỉ không rõ",
    "err.server.extra_missing": (
        "chitieu serve cần gói bổ sung server: pip install 'chitieu-tui[server]'"
    ),
    "server.log.serving": "phục vụ {count} đơn vị ({units}) từ {root} tại {url}; {auth}",
    "server.log.token_on": "cần mã truy cập",
    "server.log.token_off": "không cần mã truy cập",
    "server.log.none_valid": "không đơn vị nào hợp lệ",
    "server.log.broken_folder": "thư mục {folder}: {file} bị hỏng; trả lỗi 500 cho đến khi sửa",
    "server.log.no_token_public": (
        "đang lắng nghe trên {host} mà không có mã truy cập: đặt {env} để yêu cầu mã"
    ),
    "server.log.duplicate": "đơn vị {unit} xuất hiện hai lần; chỉ phục vụ thư mục đầu tiên",
    "server.log.data_error": "thư mục đơn vị {folder}: {error}",
    "server.log.unexpected": "lỗi không lường trước tại {path}: {kind}",
    "server.log.slow_read": (
        'đơn vị "{unit}": đọc {file} mất hơn {seconds} giây; trả 503 cho đến khi xong'
    ),
    "server.log.outside": "thư mục {folder}: {file} dẫn ra ngoài thư mục được phục vụ; không phục vụ",
    "server.log.evicted": (
        "đang mở {count} kết nối: đóng các kết nối rỗi lâu nhất (máy khách chậm hay rỗi)"
    ),
    # --- command line ---
    # (keys of this section go here)
    # --- presentation ---
    # (keys of this section go here)
}
