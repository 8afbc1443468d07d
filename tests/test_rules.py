"""Rules between figures (issue 25, DESIGN section 15): the safe expression parser, the
`[[rule]]` schema, the evaluation, and the one writer refusing a broken high rule."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
from datadirs import enter, make_datadir, plain_values, set_value, unset
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu_tui.core import rules
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, ErrorList, flatten
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import SetValue
from chitieu_tui.core.rules import Bin, Lit, Neg, Ref, RuleError, parse, unparse
from chitieu_tui.i18n import t_in

Q1 = Period(2026, 1)

INDICATORS = """
[[indicator]]
id = "moi"
group = "g"
name = "Đảng viên mới"
kind = "cumulative"
report = "quarter"
target = 30
integer = true

[[indicator]]
id = "tong"
group = "g"
name = "Tổng số đảng viên"
kind = "level"
target = 1450
integer = true

[[indicator]]
id = "ho-ngheo"
group = "g"
name = "Hộ nghèo"
kind = "level"
direction = "decrease"
baseline = 120
target = 70

[[indicator]]
id = "moc"
group = "g"
name = "Mốc"
kind = "milestone"
due = "2026-Q4"
"""

RULES = """
[[rule]]
left = "moi"
op = "<="
right = "tong"
importance = "high"
message = "Số đảng viên mới không thể vượt tổng số đảng viên"

[[rule]]
left = "ho-ngheo * 10"
op = "<"
right = "tong"
importance = "medium"
message = "Hộ nghèo nhiều bất thường so với số đảng viên"
"""


def _defs_error(tmp_path: Path, rule: str) -> ChitieuError:
    root = make_datadir(tmp_path, INDICATORS + rule)
    with pytest.raises(DataError) as info:
        DataDir(root).definitions()
    return info.value


# ---- the parser -----------------------------------------------------------------------

IDS = st.sampled_from(["a", "b", "ho-ngheo", "x2", "tong-so"])
LITS = st.integers(min_value=0, max_value=10**6).map(float) | st.sampled_from([0.5, 12.25])


def _exprs() -> st.SearchStrategy[rules.Expr]:
    leaves = st.one_of(IDS.map(Ref), LITS.map(Lit))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(Bin, st.sampled_from("+-*/"), inner, inner), inner.map(Neg)
        ),
        max_leaves=12,
    )


@given(_exprs())
@settings(max_examples=300, deadline=None)
def test_unparse_then_parse_gives_the_same_tree(expr: rules.Expr) -> None:
    text = unparse(expr)
    if len(text) <= rules.EXPR_MAX and _depth(expr) <= rules.DEPTH_MAX:
        assert parse(text) == expr
        assert unparse(parse(text)) == text


def _depth(expr: rules.Expr) -> int:
    if isinstance(expr, Neg):
        return 1 + _depth(expr.operand)
    if isinstance(expr, Bin):
        return 1 + max(_depth(expr.left), _depth(expr.right))
    return 1


@given(st.text(alphabet=st.sampled_from(list("ab-+*/()0123456789. \t%xé\n_")), max_size=60))
@settings(max_examples=500, deadline=None)
def test_any_text_parses_or_raises_the_coded_error_only(text: str) -> None:
    try:
        expr = parse(text)
    except rules.ExprError as exc:
        assert exc.code.startswith("err.rule.expr_")
        assert 0 <= exc.offset <= max(len(text), rules.EXPR_MAX)
        assert t_in("vi", exc.code) != exc.code and t_in("en", exc.code) != exc.code
    else:
        assert parse(unparse(expr)) == expr


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_unicode_never_escapes_the_coded_error(text: str) -> None:
    try:
        parse(text)
    except rules.ExprError:
        pass


def test_precedence_and_associativity() -> None:
    assert parse("a + b * 2") == Bin("+", Ref("a"), Bin("*", Ref("b"), Lit(2)))
    assert parse("a - b - c") == Bin("-", Bin("-", Ref("a"), Ref("b")), Ref("c"))
    assert parse("a / b / 2") == Bin("/", Bin("/", Ref("a"), Ref("b")), Lit(2))
    assert parse("(a + b) * 2") == Bin("*", Bin("+", Ref("a"), Ref("b")), Lit(2))
    assert parse("-a * b") == Bin("*", Neg(Ref("a")), Ref("b"))
    assert parse("a-b") == Ref("a-b")  # ids hold `-`: a subtraction needs spaces
    assert parse("a -b") == Bin("-", Ref("a"), Ref("b"))
    values = {"a": 10.0, "b": 4.0, "c": 1.0}
    assert rules.value_of(parse("a - b - c"), values) == 5.0
    assert rules.value_of(parse("a - (b - c)"), values) == 7.0
    assert rules.value_of(parse("2 + a * b / 4"), values) == 12.0


@pytest.mark.parametrize(
    ("text", "code", "offset"),
    [
        ("", "err.rule.expr_empty", 0),
        ("a +", "err.rule.expr_end", 3),
        ("(a + b", "err.rule.expr_paren", 6),
        ("a b", "err.rule.expr_extra", 2),
        ("a % b", "err.rule.expr_char", 2),
        ("a + 1.2.3", "err.rule.expr_word", 4),
        ("a + B", "err.rule.expr_word", 4),
        ("* a", "err.rule.expr_operand", 0),
        ("(" * 30 + "a" + ")" * 30, "err.rule.expr_deep", 20),
        ("a + " * 60 + "a", "err.rule.expr_long", rules.EXPR_MAX),
        ("__import__('os')", "err.rule.expr_word", 0),
    ],
)
def test_malformed_expressions_are_coded(text: str, code: str, offset: int) -> None:
    with pytest.raises(rules.ExprError) as info:
        parse(text)
    assert (info.value.code, info.value.offset) == (code, offset)


def test_each_text_is_parsed_once_and_an_error_raised_each_time() -> None:
    """Every unit of a collection has the same rules: the roll-up evaluates each unit's, so
    a text is parsed once (the same immutable tree); a malformed one raises each time."""
    assert parse("thu-ngan-sach / 2 + x") is parse("thu-ngan-sach / 2 + x")
    for _ in range(2):
        with pytest.raises(rules.ExprError) as info:
            parse("a + ")
        assert info.value.code == "err.rule.expr_end"


def test_division_by_zero_and_missing_values_leave_a_side_without_value() -> None:
    assert rules.value_of(parse("a / b"), {"a": 1.0, "b": 0.0}) is None
    assert rules.value_of(parse("a + b"), {"a": 1.0}) is None
    assert rules.value_of(parse("a + b"), {"a": 1.0}, missing_zero=True) == 1.0
    assert rules.value_of(parse("a * 1000000000000"), {"a": 1e300}) is None  # not finite


# ---- the schema -----------------------------------------------------------------------


def test_rules_load_with_their_defaults(tmp_path: Path) -> None:
    defs = DataDir(make_datadir(tmp_path, INDICATORS + RULES)).definitions()
    assert [r.importance for r in defs.rules] == ["high", "medium"]
    assert defs.rules[0].when == "filled"
    assert rules.rule_ids(defs.rules[1]) == ["ho-ngheo", "tong"]


def test_an_unknown_id_is_named_at_its_line_and_column(tmp_path: Path) -> None:
    rule = '\n[[rule]]\nleft = "moi + khong-co"\nop = "<="\nright = 5\nmessage = "m"\n'
    err = _defs_error(tmp_path, rule)
    text = (tmp_path / "data" / "chitieu.toml").read_text(encoding="utf-8").splitlines()
    line = text.index('left = "moi + khong-co"') + 1
    assert err.code == "err.in_item"
    assert str(err.place).endswith(f"chitieu.toml:{line}:15")
    assert "there is no indicator khong-co" in err.render("en")
    assert "rule #1" in err.render("en")
    assert "không có chỉ tiêu mã khong-co" in err.render("vi")
    assert "quy tắc thứ 1" in err.render("vi")


def test_a_malformed_expression_is_named_at_its_column(tmp_path: Path) -> None:
    rule = '\n[[rule]]\nleft = "moi"\nop = "<="\nright  =  "(tong + 2"\nmessage = "m"\n'
    err = _defs_error(tmp_path, rule)
    assert str(err.place).endswith(":48:21")  # `right  =  "(tong + 2"`: just after the text
    assert "right side: a closing parenthesis ) is missing" in err.render("en")
    assert "vế right: thiếu dấu ngoặc đóng )" in err.render("vi")


def test_an_unknown_operator_lists_the_choices(tmp_path: Path) -> None:
    rule = '\n[[rule]]\nleft = "moi"\nop = "=<"\nright = "tong"\nmessage = "m"\n'
    err = _defs_error(tmp_path, rule)
    assert ":1" in str(err.place) and err.place is not None and err.place.line
    assert "<=, <, ==, !=, >=, >, both" in err.render("en")
    assert '"=<"' in err.render("vi")


def test_a_milestone_an_unknown_key_and_an_empty_message_are_refused(tmp_path: Path) -> None:
    rule = (
        '\n[[rule]]\nleft = "moc"\nop = "both"\nright = "moi"\nmessage = " "\n'
        '\n[[rule]]\nleft = "moi"\nop = "<="\nright = "tong"\nmessage = "m"\nlevel = 1\n'
    )
    root = make_datadir(tmp_path, INDICATORS + rule)
    with pytest.raises(DataError) as info:
        DataDir(root).definitions()
    assert "level" in info.value.render("en")  # msgspec stops at the unknown key
    root.joinpath("chitieu.toml").write_text(
        root.joinpath("chitieu.toml").read_text(encoding="utf-8").replace("level = 1\n", ""),
        encoding="utf-8",
    )
    with pytest.raises(ErrorList) as many:
        DataDir(root).definitions()
    codes = [e.render("en") for e in flatten(many.value)]
    assert any("moc is a milestone" in c for c in codes)
    assert any("message is missing" in c for c in codes)


# ---- the evaluation -------------------------------------------------------------------


def test_evaluation_states(tmp_path: Path) -> None:
    defs = DataDir(make_datadir(tmp_path, INDICATORS + RULES)).definitions()
    held = rules.evaluate(defs, {"moi": 6.0, "tong": 1430.0, "ho-ngheo": 100.0})
    assert [r.state for r in held] == ["holds", "holds"]
    broken = rules.evaluate(defs, {"moi": 1500.0, "tong": 1430.0, "ho-ngheo": 200.0})
    assert [r.state for r in broken] == ["broken", "broken"]
    assert (broken[1].left, broken[1].right) == (2000.0, 1430.0)
    skipped = rules.evaluate(defs, {"moi": 6.0})
    assert [r.state for r in skipped] == ["skipped", "skipped"]
    assert [r.index for r in rules.evaluate(defs, {}, only=["ho-ngheo"])] == [1]


@pytest.mark.parametrize(
    ("op", "left", "right", "state"),
    [
        ("==", 0.1 + 0.2, 0.3, "holds"),
        ("!=", 0.1 + 0.2, 0.3, "broken"),
        ("<", 1.0, 1.0, "broken"),
        ("<=", 1.0, 1.0, "holds"),
        (">", 2.0, 1.0, "holds"),
        (">=", 0.0, 1.0, "broken"),
    ],
)
def test_comparisons_allow_for_floating_point(
    op: str, left: float, right: float, state: str
) -> None:
    rule = rules.Rule(left="a", right="b", op=op, message="m")  # type: ignore[arg-type]
    assert rules.check_rule(0, rule, {"a": left, "b": right}).state == state


def test_both_and_always() -> None:
    both = rules.Rule(left="a", right="b", op="both", message="m")
    assert rules.check_rule(0, both, {}).state == "holds"
    assert rules.check_rule(0, both, {"a": 1.0}).state == "broken"
    assert rules.check_rule(0, both, {"a": 1.0, "b": 0.0}).state == "holds"
    always = rules.Rule(left="a", right="b", op="<=", message="m", when="always")
    assert rules.check_rule(0, always, {"a": 1.0}).state == "broken"  # b counts as 0
    assert rules.check_rule(0, always, {"b": 1.0}).state == "holds"
    ratio = rules.Rule(left="a / b", right=1, op="<=", message="m", when="always")
    assert rules.check_rule(0, ratio, {"a": 1.0}).state == "skipped"  # a / 0: no value


def test_a_naive_second_implementation_agrees() -> None:
    """An independent check: each side computed by Python's own arithmetic over the same
    numbers (the text is turned into a lambda by hand here, never by the product)."""
    cases = [
        ("a + b * 2", lambda v: v["a"] + v["b"] * 2),
        ("(a - b) / c", lambda v: (v["a"] - v["b"]) / v["c"]),
        ("-a * -b", lambda v: (-v["a"]) * (-v["b"])),
        ("a / b / c - 1", lambda v: v["a"] / v["b"] / v["c"] - 1),
    ]
    grid = [1.0, 2.5, 7.0, 13.0]
    for text, naive in cases:
        for a in grid:
            for b in grid:
                for c in grid:
                    values = {"a": a, "b": b, "c": c}
                    got = rules.value_of(parse(text), values)
                    assert got is not None and math.isclose(got, naive(values))


# ---- the one writer -------------------------------------------------------------------


def _ward(tmp_path: Path) -> Path:
    return make_datadir(tmp_path, INDICATORS + RULES, {"2026-Q1": "moi = 6\ntong = 1430\n"})


def test_a_broken_high_rule_refuses_the_write_and_writes_nothing(tmp_path: Path) -> None:
    root = _ward(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    with pytest.raises(RuleError) as info:
        set_value(root, Q1, "moi", 1500)
    err = info.value
    assert err.code == "err.rule.refused"
    assert err.render("vi").endswith(
        "không ghi: quy tắc bắt buộc bị vi phạm — Số đảng viên mới không thể vượt tổng số "
        "đảng viên (moi = 1.500 <= tong = 1.430 không đúng)"
    )
    assert "moi = 1,500 <= tong = 1,430 does not hold" in err.render("en")
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before
    assert not (root / "journal" / "2026-Q1.toml").exists()


def test_the_other_side_refuses_too_and_a_bulk_write_names_the_value(tmp_path: Path) -> None:
    root = _ward(tmp_path)
    with pytest.raises(RuleError):
        set_value(root, Q1, "tong", 5)
    folder = DataDir(root)
    requests = [
        SetValue(period=Q1, id="ho-ngheo", value=100, confirm=True),
        SetValue(period=Q1, id="moi", value=2000, confirm=True),
        SetValue(period=Q1, id="tong", value=1440, confirm=True),
    ]
    with pytest.raises(RuleError) as info:
        folder.write(requests)
    assert info.value.index == 2  # the last value the rule takes part in
    assert plain_values(root / "progress" / "2026-Q1.toml") == {"moi": 6, "tong": 1430}
    # together they hold: the quarter as it would stand is what is checked
    requests[2] = SetValue(period=Q1, id="tong", value=2500, confirm=True)
    folder.write(requests)
    assert plain_values(root / "progress" / "2026-Q1.toml")["moi"] == 2000


def test_medium_rules_are_written_and_unset_is_checked(tmp_path: Path) -> None:
    root = _ward(tmp_path)
    written = enter(root, Q1, "ho-ngheo", "200")  # 2.000 > 1.430: medium, written
    assert written.progress.values["ho-ngheo"].value == 200
    results = rules.evaluate(DataDir(root).definitions(), written.progress.values, ["ho-ngheo"])
    assert [r.rule.importance for r in rules.broken(results)] == ["medium"]
    unset(root, Q1, "tong")  # `filled`: the rule is skipped while a side has no value
    assert "tong" not in plain_values(root / "progress" / "2026-Q1.toml")


def test_a_quarter_without_rules_writes_as_before(tmp_path: Path) -> None:
    root = make_datadir(tmp_path, INDICATORS, {"2026-Q1": "moi = 6\n"})
    set_value(root, Q1, "moi", 29)
    assert plain_values(root / "progress" / "2026-Q1.toml") == {"moi": 29}


# ---- an independent check (issue 25 item 6) --------------------------------------------
# A second, naive implementation: the test builds each side as its own tuple tree and text
# (fully parenthesised), computes it with exact fractions, and judges the rule by the
# letter of docs/formats.md; the product must agree on every generated quarter.

NAIVE_IDS = ["a", "b-c", "d"]


def _naive_trees() -> st.SearchStrategy[object]:
    leaves = st.one_of(st.sampled_from(NAIVE_IDS), st.integers(min_value=0, max_value=9))
    return st.recursive(
        leaves,
        lambda inner: st.tuples(st.sampled_from("+-*/"), inner, inner),
        max_leaves=4,
    )


def _naive_text(tree: object) -> str:
    if isinstance(tree, tuple):
        op, left, right = tree
        return f"({_naive_text(left)} {op} {_naive_text(right)})"
    return str(tree)


def _naive_value(tree: object, values: dict[str, int], zero: bool) -> Fraction | None:
    if isinstance(tree, int):
        return Fraction(tree)
    if isinstance(tree, str):
        if tree in values:
            return Fraction(values[tree])
        return Fraction(0) if zero else None
    op, left, right = tree  # type: ignore[misc]
    lv, rv = _naive_value(left, values, zero), _naive_value(right, values, zero)
    if lv is None or rv is None:
        return None
    if op == "/":
        return None if rv == 0 else lv / rv
    return {"+": lv + rv, "-": lv - rv, "*": lv * rv}[op]


def _naive_ids(tree: object) -> set[str]:
    if isinstance(tree, tuple):
        return _naive_ids(tree[1]) | _naive_ids(tree[2])
    return {tree} if isinstance(tree, str) else set()


def _naive_state(op: str, when: str, left: object, right: object, values: dict[str, int]) -> str:
    if op == "both":
        filled_l = _naive_ids(left) <= set(values)
        filled_r = _naive_ids(right) <= set(values)
        return "holds" if filled_l == filled_r else "broken"
    lv = _naive_value(left, values, when == "always")
    rv = _naive_value(right, values, when == "always")
    if lv is None or rv is None:
        return "skipped"
    held = {
        "<=": lv <= rv,
        "<": lv < rv,
        "==": lv == rv,
        "!=": lv != rv,
        ">=": lv >= rv,
        ">": lv > rv,
    }[op]
    return "holds" if held else "broken"


@given(
    left=_naive_trees(),
    right=_naive_trees(),
    op=st.sampled_from(["<=", "<", "==", "!=", ">=", ">", "both"]),
    when=st.sampled_from(["filled", "always"]),
    values=st.dictionaries(st.sampled_from(NAIVE_IDS), st.integers(min_value=0, max_value=9)),
)
@settings(max_examples=600, deadline=None)
def test_a_naive_implementation_agrees_on_generated_quarters(
    left: object, right: object, op: str, when: str, values: dict[str, int]
) -> None:
    rule = rules.Rule(
        left=_naive_text(left),
        right=_naive_text(right),
        op=op,  # type: ignore[arg-type]
        message="m",
        when=when,  # type: ignore[arg-type]
    )
    got = rules.check_rule(0, rule, {k: float(v) for k, v in values.items()})
    assert got.state == _naive_state(op, when, left, right, values), (rule, values)
