"""radon's cyclomatic-complexity blocks and Halstead counts of a module in one walk of its tree.

Why: radon_pass ran radon's `ComplexityVisitor` and `HalsteadVisitor` over each parsed file, two
`ast.NodeVisitor` walks that build a method name and look it up for every node; together they took
twice as long as parsing the file. This walks the tree once and keeps both sets of books, with
radon's rules copied rule for rule (radon 6, `radon/visitors.py`):

- complexity: a function's blocks start at 1 and each statement of its body is judged by a fresh
  visitor starting at 0; `if`/`elif`/ternary +1, `for`/`while` +1 and +1 for an `else`, `try` +1
  per handler and +1 for an `else`, boolean operators +1 per operand after the first,
  comprehensions +1 and +1 per `if`, `match` +1 per case not counting a lone `case _`,
  `assert` +1 (without looking inside it). Decorators, arguments and class bases are not looked
  at; a function's end line is the highest line number its last statement's visitor saw.
- Halstead: binary, unary and boolean operators, augmented assignments and comparisons count
  their operators (by node class) and operands (a name's id, an attribute's name, a constant's
  value, any other node by identity), each operand paired with the innermost function's name.
  A function's decorators and arguments are not looked at; a class's bases and decorators are.

The blocks are radon's own `Function` and `Class` records, so `radon.complexity` sorts and
flattens them as for `radon cc`. Tests compare every number with radon's visitors on real code.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

from radon.visitors import Class, Function

# Fields that never hold a node worth visiting: names and flags, and the contexts and operator
# singletons (no line number, nothing counted; Halstead reads an operator's class off its parent).
_LEAF_FIELDS = frozenset(
    (
        *("ctx", "op", "ops", "id", "attr", "name", "arg", "asname", "module", "level", "kind"),
        *("type_comment", "conversion", "is_async"),
    )
)


def _try(node: ast.Try) -> int:
    return len(node.handlers) + bool(node.orelse)


def _loop(node: ast.For | ast.While | ast.AsyncFor) -> int:
    return bool(node.orelse) + 1


def _match(node: ast.Match) -> int:
    # `case _:` (a MatchAs without a pattern, a capture too) is the match's else.
    underscore = any(getattr(c.pattern, "pattern", False) is None for c in node.cases)
    return max(0, len(node.cases) - underscore)


_DECISIONS: dict[type, Callable[..., int]] = {
    ast.Try: _try,
    ast.BoolOp: lambda n: len(n.values) - 1,
    ast.If: lambda n: 1,
    ast.IfExp: lambda n: 1,
    ast.Match: _match,
    ast.For: _loop,
    ast.While: _loop,
    ast.AsyncFor: _loop,
    ast.comprehension: lambda n: len(n.ifs) + 1,
}


def _operand(node: ast.AST) -> object:
    kind = type(node)
    if kind is ast.Name:
        return node.id  # type: ignore[attr-defined]
    if kind is ast.Attribute:
        return node.attr  # type: ignore[attr-defined]
    if kind is ast.Constant:
        return node.value  # type: ignore[attr-defined]
    return node


@dataclass(frozen=True)
class Halstead:
    """The four counts radon's Halstead report is computed from."""

    distinct_operators: int
    distinct_operands: int
    operators: int
    operands: int

    @property
    def volume(self) -> float:
        """`HalsteadReport.volume` of radon: N * log2(h)."""
        vocabulary = self.distinct_operators + self.distinct_operands
        length = self.operators + self.operands
        return length * math.log(vocabulary, 2) if vocabulary != 0 else 0


class _Books:
    """One radon `ComplexityVisitor`'s state: what a block's complexity is summed from."""

    __slots__ = ("classes", "classname", "complexity", "functions", "max_line", "to_method")

    def __init__(self, to_method: bool, classname: str | None, complexity: int) -> None:
        self.complexity = complexity
        self.functions: list[Function] = []
        self.classes: list[Class] = []
        self.to_method = to_method
        self.classname = classname
        self.max_line: float = float("-inf")


@dataclass(frozen=True)
class Analysis:
    """A module's blocks as `ComplexityVisitor.blocks` lists them, its total complexity
    (`ComplexityVisitor.total_complexity`) and its Halstead counts (`h_visit_ast(...).total`)."""

    blocks: list[Function | Class]
    total_complexity: int
    halstead: Halstead


class _Walk:
    """One walk of a module's tree keeping both radon visitors' books."""

    def __init__(self) -> None:
        self.operators = 0
        self.operands = 0
        self.operators_seen: set[str] = set()
        self.operands_seen: set[tuple[str | None, object]] = set()
        self.fields: dict[type, tuple[str, ...]] = {}
        self.lined: dict[type, bool] = {}

    def _fields(self, kind: type) -> tuple[str, ...]:
        found = self.fields.get(kind)
        if found is None:
            # A constant's value is data, never a child node.
            names = () if kind is ast.Constant else kind._fields  # type: ignore[attr-defined]
            found = tuple(n for n in names if n not in _LEAF_FIELDS)
            self.fields[kind] = found
            self.lined[kind] = "lineno" in kind._attributes  # type: ignore[attr-defined]
        return found

    def _count(self, node: ast.AST, kind: type, context: str | None) -> None:
        """radon's HalsteadVisitor.dispatch for the node kinds it counts."""
        if kind is ast.BinOp or kind is ast.AugAssign:
            ops: list[str] = [type(node.op).__name__]  # type: ignore[attr-defined]
            operands: list[ast.AST] = (
                [node.left, node.right]  # type: ignore[attr-defined]
                if kind is ast.BinOp
                else [node.target, node.value]  # type: ignore[attr-defined]
            )
        elif kind is ast.UnaryOp:
            ops, operands = [type(node.op).__name__], [node.operand]  # type: ignore[attr-defined]
        elif kind is ast.BoolOp:
            ops, operands = [type(node.op).__name__], node.values  # type: ignore[attr-defined]
        elif kind is ast.Compare:
            ops = [type(op).__name__ for op in node.ops]  # type: ignore[attr-defined]
            operands = [*node.comparators, node.left]  # type: ignore[attr-defined]
        else:
            return
        self.operators += len(ops)
        self.operands += len(operands)
        self.operators_seen.update(ops)
        self.operands_seen.update((context, _operand(o)) for o in operands)

    def children(
        self, node: ast.AST, kind: type, books: _Books | None, context: str | None
    ) -> None:
        for name in self.fields.get(kind) or self._fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, books, context)
            elif isinstance(value, ast.AST):
                self.visit(value, books, context)

    def visit(self, node: ast.AST, books: _Books | None, context: str | None) -> None:
        """One node, as both visitors see it; `books` is None where only HalsteadVisitor looks
        (inside an `assert`, a class's bases and decorators)."""
        kind = type(node)
        if books is not None:
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.function(node, books)  # type: ignore[arg-type]
                return
            if kind is ast.ClassDef:
                self.klass(node, books, context)  # type: ignore[arg-type]
                return
            if kind is ast.Assert:
                books.complexity += 1
                books = None
            else:
                if self.lined.get(kind) if kind in self.lined else self._lined(kind):
                    line = node.lineno  # type: ignore[attr-defined]
                    if line > books.max_line:  # noqa: PLR1730 - per node: no call
                        books.max_line = line
                decide = _DECISIONS.get(kind)
                if decide is not None:
                    books.complexity += decide(node)
        self._count(node, kind, context)
        self.children(node, kind, books, context)

    def _lined(self, kind: type) -> bool:
        self._fields(kind)
        return self.lined[kind]

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, books: _Books) -> None:
        closures: list[Function] = []
        complexity = 1
        last = books
        for child in node.body:
            last = _Books(False, None, 0)
            self.visit(child, last, node.name)
            closures.extend(last.functions)
            complexity += last.complexity
        books.functions.append(
            Function(
                node.name,
                node.lineno,
                node.col_offset,
                max(node.lineno, last.max_line),
                books.to_method,
                books.classname,
                closures,
                complexity,
            )
        )

    def klass(self, node: ast.ClassDef, books: _Books, context: str | None) -> None:
        for part in (node.bases, node.keywords, node.decorator_list):
            for item in part:
                self.visit(item, None, context)
        methods: list[Function] = []
        inner: list[Class] = []
        complexity = 1
        lines: list[float] = [node.lineno]
        for child in node.body:
            visitor = _Books(True, node.name, 0)
            self.visit(child, visitor, context)
            methods.extend(visitor.functions)
            complexity += visitor.complexity + sum(f.complexity for f in visitor.functions)
            lines.append(visitor.max_line)
            inner.extend(visitor.classes)
        lines += [m.endline for m in methods]
        books.classes.append(
            Class(node.name, node.lineno, node.col_offset, max(lines), methods, inner, complexity)
        )


def analyse(tree: ast.AST) -> Analysis:
    """radon's complexity blocks, total complexity and Halstead counts of a parsed module."""
    walk = _Walk()
    books = _Books(False, None, 1)
    walk.visit(tree, books, None)
    blocks: list[Function | Class] = [*books.functions]
    for cls in books.classes:
        blocks += [cls, *cls.methods]
    total = (
        books.complexity
        + sum(f.complexity - 1 for f in books.functions)
        + sum(c.real_complexity - 1 for c in books.classes)
    )
    halstead = Halstead(
        len(walk.operators_seen), len(walk.operands_seen), walk.operators, walk.operands
    )
    return Analysis(blocks, total, halstead)
