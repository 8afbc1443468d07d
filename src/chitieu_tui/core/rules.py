"""Rules between figures (DESIGN section 15): a small, safe expression language and the
evaluation of `[[rule]]` on a quarter's values.

An expression is an indicator id, a number, or ids and numbers joined by `+ - * /` with
parentheses and a leading `-`; `*` and `/` bind tighter than `+` and `-`, all four are
left-associative. Ids may contain `-` (`dang-vien-moi`), so a subtraction between two
words needs spaces: `a - b` (`a-b` is the id `a-b`). Nothing is ever handed to `eval`: the
text is tokenized and parsed here by recursive descent, with a cap on its length and
nesting; every failure is an `ExprError` (a coded DataError) with the offset of the
problem.

Evaluation (`evaluate`) takes the quarter's values as entered (one number per indicator
id). A side has no value when one of its ids has none (`when = "filled"`, the default:
the rule is skipped; `when = "always"`: a missing value counts as 0), or when it divides
by zero (the rule is skipped either way: it can say nothing). `op = "both"` holds when both
sides are filled or neither is. Comparisons allow for floating point (`0,1 + 0,2 == 0,3`
holds): two sides within `TOLERANCE` relative (or absolute, near zero) are equal.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.errors import DataError, EntryError
from chitieu_tui.core.model import Definitions, Entry, Rule
from chitieu_tui.core.numbers import Num
from chitieu_tui.core.records import frozen
from chitieu_tui.i18n import Msg

EXPR_MAX = 200
"""Most characters of one side of a rule."""
DEPTH_MAX = 20
"""Most nested parentheses (and leading `-`) of one side."""
TOLERANCE = 1e-9
"""Two sides this close (relative, or absolute near zero) are equal."""
_NUMBER_RE = re.compile(r"\A[0-9]+(?:\.[0-9]+)?\Z")
_ID_RE = re.compile(r"\A[a-z0-9-]+\Z")
_WORD_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_WORD_CHARS = _WORD_START | {"-"}
_OPS = "+-*/"
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}

State = Literal["holds", "broken", "skipped"]


class ExprError(DataError):
    """A side of a rule that cannot be read; `offset` is where (0-based, in its text)."""

    def __init__(self, key: str, offset: int, /, **params: object) -> None:
        super().__init__(key, None, **params)
        self.offset = offset


@frozen
class Lit:
    """A number (never negative: `-5` is `Neg(Lit(5))`)."""

    value: float

    def __init__(self, value: float) -> None:
        object.__setattr__(self, "value", value)


@frozen
class Ref:
    """An indicator id."""

    id: str

    def __init__(self, id: str) -> None:  # noqa: A002 (the field's name)
        object.__setattr__(self, "id", id)


@frozen
class Neg:
    """A leading minus."""

    operand: Expr

    def __init__(self, operand: Expr) -> None:
        object.__setattr__(self, "operand", operand)


@frozen
class Bin:
    """Two operands and one of `+ - * /`."""

    op: str
    left: Expr
    right: Expr

    def __init__(self, op: str, left: Expr, right: Expr) -> None:
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)


Expr = Lit | Ref | Neg | Bin


@frozen
class _Token:
    """One token of a rule's expression."""

    kind: str  # "num", "id", "op", "(", ")"
    text: str
    offset: int

    def __init__(self, kind: str, text: str, offset: int) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "offset", offset)


def _tokens(text: str) -> list[_Token]:
    """The tokens of `text`; ExprError at the first character that belongs to none."""
    found: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            i += 1
        elif ch in _OPS:
            found.append(_Token("op", ch, i))
            i += 1
        elif ch in "()":
            found.append(_Token(ch, ch, i))
            i += 1
        elif ch in _WORD_START:
            start = i
            while i < n and text[i] in _WORD_CHARS:
                i += 1
            word = text[start:i]
            if _NUMBER_RE.fullmatch(word):
                found.append(_Token("num", word, start))
            elif _ID_RE.fullmatch(word):
                found.append(_Token("id", word, start))
            else:
                raise ExprError("err.rule.expr_word", start, word=word[:40])
        else:
            shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ExprError("err.rule.expr_char", i, char=shown)
    return found


class _Parser:
    """Recursive descent over the tokens: expr := term (('+'|'-') term)*;
    term := factor (('*'|'/') factor)*; factor := '-' factor | number | id | '(' expr ')'."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Token:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Expr:
        if not self.toks:
            raise ExprError("err.rule.expr_empty", 0)
        expr = self.expr()
        tok = self.peek()
        if tok is not None:
            raise ExprError("err.rule.expr_extra", tok.offset, token=tok.text[:40])
        return expr

    def expr(self) -> Expr:
        node = self.term()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in "+-":
            self.take()
            node = Bin(tok.text, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in "*/":
            self.take()
            node = Bin(tok.text, node, self.factor())
        return node

    def factor(self) -> Expr:
        tok = self.peek()
        if tok is None:
            raise ExprError("err.rule.expr_end", len(self.text))
        self.depth += 1
        if self.depth > DEPTH_MAX:
            raise ExprError("err.rule.expr_deep", tok.offset, most=DEPTH_MAX)
        try:
            if tok.kind == "op" and tok.text == "-":
                self.take()
                return Neg(self.factor())
            if tok.kind == "num":
                self.take()
                return Lit(float(tok.text))
            if tok.kind == "id":
                self.take()
                return Ref(tok.text)
            if tok.kind == "(":
                self.take()
                inner = self.expr()
                close = self.peek()
                if close is None or close.kind != ")":
                    at = close.offset if close is not None else len(self.text)
                    raise ExprError("err.rule.expr_paren", at)
                self.take()
                return inner
            raise ExprError("err.rule.expr_operand", tok.offset, token=tok.text)
        finally:
            self.depth -= 1


def parse(text: str) -> Expr:
    """The expression in `text`; ExprError (coded, with `offset`) when it is not one."""
    if len(text) > EXPR_MAX:
        raise ExprError("err.rule.expr_long", EXPR_MAX, most=EXPR_MAX)
    return _parsed(text)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Expr:
    """`parse`, each text once (the expressions are immutable; an error is not kept, so it
    is raised again, anew): every unit of a collection has the same rules, and the roll-up
    evaluates each unit's (3,321 for the country: the same few texts tokenised 9,000 times
    for a cold frame)."""
    return _Parser(text).parse()


def side(raw: str | float) -> Expr:
    """A rule's side as TOML gave it: text is parsed, a number is a literal."""
    if isinstance(raw, str):
        return parse(raw)
    if not math.isfinite(raw):
        raise ExprError("err.rule.expr_number", 0)
    return Neg(Lit(-float(raw))) if raw < 0 else Lit(float(raw))


def unparse(expr: Expr) -> str:
    """`expr` as text that parses back to it, with the parentheses it needs only."""
    if isinstance(expr, Lit):
        value = expr.value  # plain decimals (no exponent), the shortest that read back
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(expr, Ref):
        return expr.id
    if isinstance(expr, Neg):
        inner = unparse(expr.operand)
        return f"-({inner})" if isinstance(expr.operand, Bin) else f"-{inner}"
    prec = _PRECEDENCE[expr.op]
    left = unparse(expr.left)
    if isinstance(expr.left, Bin) and _PRECEDENCE[expr.left.op] < prec:
        left = f"({left})"
    right = unparse(expr.right)
    if isinstance(expr.right, Bin) and _PRECEDENCE[expr.right.op] <= prec:
        right = f"({right})"
    return f"{left} {expr.op} {right}"


def ids_of(expr: Expr) -> list[str]:
    """The indicator ids in `expr`, in order, each once."""
    out: list[str] = []

    def walk(node: Expr) -> None:
        if isinstance(node, Ref):
            if node.id not in out:
                out.append(node.id)
        elif isinstance(node, Neg):
            walk(node.operand)
        elif isinstance(node, Bin):
            walk(node.left)
            walk(node.right)

    walk(expr)
    return out


def offset_of(text: str, ident: str) -> int:
    """Where the id `ident` starts in `text` as a token (0 when it cannot be found)."""
    try:
        for tok in _tokens(text):
            if tok.kind == "id" and tok.text == ident:
                return tok.offset
    except ExprError:
        pass
    return 0


def value_of(expr: Expr, values: Mapping[str, float], missing_zero: bool = False) -> float | None:
    """`expr` over `values`; None when an id has no value (unless `missing_zero`), when it
    divides by zero or leaves the finite numbers."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Ref):
        found = values.get(expr.id)
        if found is None:
            return 0.0 if missing_zero else None
        return found
    if isinstance(expr, Neg):
        inner = value_of(expr.operand, values, missing_zero)
        return None if inner is None else -inner
    left = value_of(expr.left, values, missing_zero)
    right = value_of(expr.right, values, missing_zero)
    if left is None or right is None:
        return None
    if expr.op == "+":
        result = left + right
    elif expr.op == "-":
        result = left - right
    elif expr.op == "*":
        result = left * right
    else:
        if right == 0:
            return None
        result = left / right
    return result if math.isfinite(result) else None


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def compare(op: str, left: float, right: float) -> bool:
    """`left op right`, equal within TOLERANCE."""
    equal = _close(left, right)
    if op == "==":
        return equal
    if op == "!=":
        return not equal
    if op == "<=":
        return left < right or equal
    if op == ">=":
        return left > right or equal
    if op == "<":
        return left < right and not equal
    if op == ">":
        return left > right and not equal
    raise ValueError(op)  # the schema admits no other


@frozen
class Result:
    """One rule on one quarter: its state and both sides' values (None: no value)."""

    index: int
    """The rule's position in `[[rule]]` (0-based)."""
    rule: Rule
    state: State
    left: float | None
    right: float | None

    def __init__(
        self, index: int, rule: Rule, state: State, left: float | None, right: float | None
    ) -> None:
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)

    @property
    def ids(self) -> list[str]:
        """The indicator ids the rule takes part in."""
        return rule_ids(self.rule)


def rule_ids(rule: Rule) -> list[str]:
    """The indicator ids of both sides of `rule`, each once."""
    out = ids_of(side(rule.left))
    out.extend(i for i in ids_of(side(rule.right)) if i not in out)
    return out


def numbers(values: Mapping[str, Entry | float | bool]) -> dict[str, float]:
    """The numeric values of a quarter (milestones' true/false are left out)."""
    out: dict[str, float] = {}
    for key, raw in values.items():
        value = raw.value if isinstance(raw, Entry) else raw
        if not isinstance(value, bool):
            out[key] = float(value)
    return out


def check_rule(index: int, rule: Rule, values: Mapping[str, float]) -> Result:
    """Evaluate one rule over a quarter's numbers."""
    left_expr, right_expr = side(rule.left), side(rule.right)
    if rule.op == "both":
        filled_l = all(i in values for i in ids_of(left_expr))
        filled_r = all(i in values for i in ids_of(right_expr))
        left = value_of(left_expr, values) if filled_l else None
        right = value_of(right_expr, values) if filled_r else None
        return Result(index, rule, "holds" if filled_l == filled_r else "broken", left, right)
    zero = rule.when == "always"
    left = value_of(left_expr, values, zero)
    right = value_of(right_expr, values, zero)
    if left is None or right is None:
        return Result(index, rule, "skipped", left, right)
    state: State = "holds" if compare(rule.op, left, right) else "broken"
    return Result(index, rule, state, left, right)


def evaluate(
    defs: Definitions, values: Mapping[str, Entry | float | bool], only: Iterable[str] = ()
) -> list[Result]:
    """Every rule of `defs` over one quarter's values (entries or numbers), in order; with
    `only`, the rules that take part in one of those ids."""
    wanted = set(only)
    nums = numbers(values)
    out: list[Result] = []
    for index, rule in enumerate(defs.rules):
        if wanted and not wanted.intersection(rule_ids(rule)):
            continue
        out.append(check_rule(index, rule, nums))
    return out


def board_results(board: Board) -> list[Result]:
    """Every rule over a board's quarter (none for a quarter without values, or of a year
    without definitions: its values are not judged)."""
    if not board.judged or board.progress is None:
        return []
    return evaluate(board.definitions, board.progress.values)


def broken(results: Iterable[Result], importance: str | None = None) -> list[Result]:
    """The broken results (of one importance, when given)."""
    return [
        r
        for r in results
        if r.state == "broken" and (importance is None or r.rule.importance == importance)
    ]


def side_msg(value: float | None) -> Msg:
    """A side's value in a message: the number as the reader writes it, or *no value*."""
    return Msg("rule.no_value") if value is None else Num(value)


def side_shown(raw: str | float, value: float | None) -> Msg:
    """A side with its value (`dang-vien = 1.430`); a side that is only a number is shown
    once (`55`, not `55 = 55`)."""
    expr = side(raw)
    if isinstance(expr, Lit) or (isinstance(expr, Neg) and isinstance(expr.operand, Lit)):
        return side_msg(value)
    return Msg("rule.side", text=side_text(raw), value=side_msg(value))


class RuleError(EntryError):
    """A write refused because it breaks a high rule: its message and both sides' values."""

    def __init__(self, result: Result) -> None:
        rule = result.rule
        super().__init__(
            "err.rule.refused",
            None,
            message=rule.message,
            left=side_shown(rule.left, result.left),
            op=rule.op,
            right=side_shown(rule.right, result.right),
        )
        self.result = result


def side_text(raw: str | float) -> str:
    """A side as written in `[[rule]]` (a number as plain digits)."""
    return raw.strip() if isinstance(raw, str) else unparse(side(raw))


def refuse_high(defs: Definitions, values: Mapping[str, Entry], changed: Iterable[str]) -> None:
    """RuleError for the first high rule, among those `changed` ids take part in, that the
    quarter's `values` break."""
    ids = list(changed)
    if not ids or not defs.rules:
        return
    for result in broken(evaluate(defs, values, ids), "high"):
        raise RuleError(result)
