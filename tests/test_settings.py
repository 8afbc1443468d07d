"""Settings: command line > CHITIEU_* > settings.toml > default, strict file, `chitieu config`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chitieu_tui import settings
from chitieu_tui.cli import main
from chitieu_tui.core.errors import DataError


def settings_file(xdg: Path, text: str) -> Path:
    path = settings.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_is_at_the_platforms_config_path(tmp_path: Path) -> None:
    assert settings.settings_path() == tmp_path / "xdg-config" / "chitieu-tui" / "settings.toml"


def test_an_unknown_key_is_refused_with_file_line_and_column(xdg: Path) -> None:
    path = settings_file(xdg, 'lang = "en"\ncolour = "red"\n')
    with pytest.raises(DataError) as exc:
        settings.read_file()
    assert exc.value.render("en") == f'{path}:2:1: unknown key "colour"' or (
        f"{path}:2:1:" in exc.value.render("en") and "colour" in exc.value.render("en")
    )


def test_a_wrong_type_and_a_bad_language_are_refused(xdg: Path) -> None:
    settings_file(xdg, "\n\nlang = 'fr'\n")
    with pytest.raises(DataError) as exc:
        settings.read_file()
    assert ":3:1:" in exc.value.render("en")
    settings_file(xdg, "by = 3\n")
    with pytest.raises(DataError) as exc2:
        settings.read_file()
    assert ":1:1:" in exc2.value.render("en")


def test_a_broken_file_stops_a_command_with_its_place(xdg: Path, capsys) -> None:
    path = settings_file(xdg, "lang = \n")
    assert main(["report", "--format", "json"]) == 1
    flat = re.sub(r"[\s│]", "", capsys.readouterr().err)
    assert f"{path}:1:" in flat


def test_precedence(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings_file(xdg, 'by = "Tệp"\nlang = "en"\n')
    assert settings.by_name() == "Tệp"
    assert settings.effective()["by"].origin == "file"
    monkeypatch.setenv("CHITIEU_USER", "Môi trường")
    assert settings.by_name() == "Môi trường"
    assert settings.by_name("Dòng lệnh") == "Dòng lệnh"
    assert settings.effective({"by": "x"})["by"].origin == "cli"


def test_language_from_the_file_below_the_environment(
    xdg: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    settings_file(xdg, 'lang = "en"\n')
    main(["config"])
    assert "Settings file" in capsys.readouterr().out
    monkeypatch.setenv("CHITIEU_LANG", "vi")
    main(["config"])
    assert "Tệp cài đặt" in capsys.readouterr().out
    main(["config", "--lang", "en"])
    assert "Settings file" in capsys.readouterr().out


def test_default_data_folder_from_the_file_and_the_command_line_wins(
    xdg: Path, ward: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    settings_file(xdg, f"config = {json.dumps(str(ward))}\n")
    (ward / "chitieu.toml").write_text(
        (ward / "chitieu.toml").read_text(encoding="utf-8").replace("Mỹ Thới", "Từ Tệp", 1),
        encoding="utf-8",
    )
    assert main(["report", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "SAMPLE" not in out.err and "MẪU" not in out.err
    assert json.loads(out.out)["unit"] == "my-thoi"
    main(["config", "--lang", "en"])
    text = capsys.readouterr().out
    assert str(ward) in text and "file " in text
    monkeypatch.setenv("CHITIEU_CONFIG", str(tmp_path / "nowhere"))
    assert main(["report"]) == 1  # the environment wins over the file
    capsys.readouterr()
    assert main(["report", "--config", str(ward), "--format", "json"]) == 0


def test_the_file_cannot_name_both_a_folder_and_a_server(xdg: Path) -> None:
    settings_file(xdg, 'config = "x"\napi = "http://127.0.0.1:1"\n')
    with pytest.raises(DataError) as exc:
        settings.read_file()
    assert ":2:1:" in exc.value.render("en")


def test_config_lists_every_setting_and_its_origin(
    xdg: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    path = settings_file(xdg, '# mine\ntheme = "textual-light"\n')
    monkeypatch.setenv("CHITIEU_USER", "Lan")
    monkeypatch.setenv("CHITIEU_API_TOKEN", "s3cret")
    assert main(["config", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert str(path) in out.splitlines()[0]
    assert set(lines) >= {"lang", "theme", "config", "api", "unit", "snapshots", "by"}
    assert "textual-light" in lines["theme"] and f"{path}:2" in lines["theme"]
    assert "Lan" in lines["by"] and "CHITIEU_USER" in lines["by"]
    assert "command line --lang" in lines["lang"]
    assert "s3cret" not in out and "(set)" in lines["CHITIEU_API_TOKEN"]


def test_save_theme_keeps_comments_and_other_keys(xdg: Path) -> None:
    path = settings_file(xdg, '# my settings\nlang = "en"  # English\n')
    settings.save_theme("textual-light")
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and "# English" in text
    assert settings.read_file()[0].theme == "textual-light"
    assert settings.theme() == "textual-light"


def test_save_theme_leaves_a_broken_file_alone(xdg: Path) -> None:
    path = settings_file(xdg, "lang = \n")
    assert settings.save_theme("textual-light") is None
    assert path.read_text(encoding="utf-8") == "lang = \n"


def test_the_settings_files_by_is_who_writes_on_the_command_line(
    xdg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    from datadirs import copy_sample

    from chitieu_tui.core.journal import read_journal

    root = copy_sample(tmp_path)
    config = ["--config", str(root)]
    monkeypatch.setattr(getpass, "getuser", lambda: "canbo")
    assert main([*config, "set", "--no-snapshot", "bhyt", "91"]) == 0  # nothing set: login
    settings_file(xdg, 'by = "Tệp"\n')
    assert main([*config, "unset", "--no-snapshot", "bhyt"]) == 0
    assert main([*config, "close", "--period", "2026-Q1", "--reason", "họp"]) == 0
    monkeypatch.setenv("CHITIEU_USER", "Môi trường")
    assert main([*config, "reopen", "--period", "2026-Q1", "--reason", "sửa"]) == 0
    assert main([*config, "set", "--by", "Dòng lệnh", "--no-snapshot", "bhyt", "92"]) == 0
    changes = [c for c in read_journal(root / "journal" / "2026-Q1.toml") if c.via != "found"]
    whos = [(c.via, c.by) for c in changes if not c.hand]
    assert whos == [
        ("set", "canbo"),
        ("unset", "Tệp"),
        ("close", "Tệp"),
        ("reopen", "Môi trường"),
        ("set", "Dòng lệnh"),
    ]


def test_a_command_reads_the_settings_file_once(
    xdg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from datadirs import copy_sample

    root = copy_sample(tmp_path)
    settings_file(xdg, 'by = "Tệp"\ntheme = "textual-light"\n')
    reads: list[Path | None] = []
    real = settings.read_file

    def counting(path: Path | None = None) -> tuple[settings.SettingsFile, str]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(settings, "read_file", counting)
    set_bhyt = ["--lang", "en", "--config", str(root), "set", "--no-snapshot", "bhyt", "91"]
    assert main(set_bhyt) == 0
    assert len(reads) == 1
    reads.clear()
    assert main(["config", "--lang", "en"]) == 0
    assert len(reads) == 1
    assert "textual-light" in capsys.readouterr().out
    # no --lang nor CHITIEU_LANG: the file read for its `lang` is the one the options take
    monkeypatch.delenv("CHITIEU_LANG", raising=False)
    reads.clear()
    assert main(["--config", str(root), "report", "--format", "json"]) == 0
    assert len(reads) == 1
    reads.clear()
    assert main(["config"]) == 0
    assert len(reads) == 1
    assert "textual-light" in capsys.readouterr().out
