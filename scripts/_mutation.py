"""Mutation testing for asgikit's parsing modules: a small AST mutator with a fork server.

A mutant is the module's source with one small change (a flipped comparison, a swapped
operator, a constant off by one, a deleted statement, ...). A good test suite fails on it:
the mutant is *killed*. A mutant the tests still pass on has *survived*, and points at an
edge the tests do not pin down (or at a change that cannot alter behaviour: an equivalent
mutant, which has to be argued case by case).

How one mutant runs, and why it is honest:

- The parent process imports pytest, hypothesis, asgikit and (through one unmutated pytest
  run, which must pass) every selected test module. Then, per mutant, it forks a child.
- The child compiles the mutated module source and executes it in a fresh namespace, then
  moves the mutation into the live objects: every function and method of the module gets
  the mutated code object and defaults (``__code__`` swap: references held elsewhere, such
  as ``from ._ranges import parse_range_header`` in another module or a test, see the
  mutation too), and every module-level constant whose value changed is rebound in the
  module and in every loaded asgikit or test module that imported it by name.
- The child runs the module's fast tests in process with ``pytest.main(["-x", ...])`` and
  exits; the exit status says killed or survived. A child still running after the timeout
  is killed and counted as killed by timeout. Nothing leaks from one mutant into the next:
  each child is a fresh copy of the clean parent.
- Before any mutant runs, the unmutated module must pass its tests and a canary mutant (every
  function starts with ``raise AssertionError``) must be killed, so a broken setup can never
  report a high score.

Hypothesis runs with a deterministic profile (``derandomize=True``, 50 examples unless a test
asks for more, no example database) so that a run is reproducible.

Not mutated, by design: docstrings, annotations, decorators, type expressions (the first
argument of ``cast`` and ``NewType``, whole ``TypeVar`` calls, ``Literal[...]``), ``__all__``, ``__slots__`` (a class is
patched in place, so its layout cannot change), bare annotations (``x: int``), ``if TYPE_CHECKING``
blocks, the text of exception messages (strings inside a ``raise`` statement: tests check the
exception type and its attributes, not the wording), and module-level statements other than
assignments (imports, ``def``, ``class``).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import importlib
import os
import re
import select
import signal
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final, cast

ROOT: Final = Path(__file__).resolve().parent.parent
SRC: Final = ROOT / "src" / "asgikit"

FAST_TESTS: Final[dict[str, tuple[str, ...]]] = {
    "_cookies": (
        "tests/test_cookies_edges.py",
        "tests/test_cookies.py",
        "tests/test_bad_inputs_cookies.py",
        "tests/test_repeated_headers.py",
        "tests/property/test_cookies_properties.py",
    ),
    "_ranges": (
        "tests/test_ranges_edges.py",
        "tests/test_ranges.py",
        "tests/test_fuzz_regressions.py",
        "tests/test_repeated_headers.py",
        "tests/test_bad_inputs_response.py",
        "tests/property/test_ranges_properties.py",
    ),
    "_multidict": (
        "tests/test_multidict_edges.py",
        "tests/test_multidict.py",
        "tests/property/test_multidict_properties.py",
        "tests/test_headers.py",
    ),
    "_urlencoded": (
        "tests/test_urlencoded_edges.py",
        "tests/test_urlencoded.py",
    ),
    "_headers": (
        "tests/test_headers_edges.py",
        "tests/test_headers.py",
        "tests/property/test_headers_properties.py",
    ),
    "_multipart": (
        "tests/test_multipart_edges.py",
        "tests/test_multipart.py",
        "tests/test_fuzz_regressions.py",
        "tests/test_bad_inputs_forms.py",
        "tests/property/test_form_properties.py",
        "tests/test_form_parts.py",
        "tests/property/test_form_parts_properties.py",
    ),
    "_response_headers": (
        "tests/test_response_headers_edges.py",
        "tests/test_response.py",
        "tests/test_bad_inputs_response.py",
    ),
    "_params": (
        "tests/test_params_edges.py",
        "tests/test_params.py",
        "tests/test_bad_inputs_forms.py",
        "tests/property/test_form_properties.py",
    ),
    "_redirects": (
        "tests/test_redirects_edges.py",
        "tests/test_redirect_safety.py",
        "tests/test_bad_inputs_response.py",
    ),
    "_host": (
        "tests/test_host_edges.py",
        "tests/test_host.py",
    ),
    "_sse": (
        "tests/test_sse_edges.py",
        "tests/test_sse.py",
    ),
    "_header_encoding": (
        "tests/test_header_encoding_edges.py",
        "tests/test_header_encoding.py",
        "tests/test_bad_inputs_response.py",
    ),
}
"""The parsing modules and the fast tests that cover each one: in process, no real server, and
no suite that takes more than a few seconds (each surviving mutant runs all of them). The edge
tests come first and run alone (see ``_install_and_test``): most mutants fail there."""

PYTEST_ARGS: Final = (
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    "--timeout=0",
    "-k",
    "not linear and not n_log_n",
)
"""Stop at the first failure; the per-mutant timeout replaces pytest-timeout's. The CPU-time
growth tests (``..._is_linear``, ``..._n_log_n``) are left out: they are slow, and a mutant that
makes parsing slower is caught by the timeout anyway."""

HYPOTHESIS_EXAMPLES: Final = 50
"""``max_examples`` of the deterministic hypothesis profile (tests that ask for more keep it)."""


@dataclass(frozen=True)
class Mutant:
    """One change to a module: the ``index``-th node of ``ast.walk`` gets ``variant``."""

    number: int
    node_index: int
    variant: int
    line: int
    operator: str
    before: str
    after: str


@dataclass
class Result:
    """Outcome counts for one module."""

    module: str
    killed: int = 0
    timeout: int = 0
    survived: list[Mutant] = field(default_factory=list[Mutant])
    skipped: list[Mutant] = field(default_factory=list[Mutant])
    planned: int = 0
    interrupted: bool = False

    @property
    def total(self) -> int:
        return self.killed + self.timeout + len(self.survived)

    @property
    def score(self) -> float:
        return 100.0 * (self.killed + self.timeout) / self.total if self.total else 100.0


# --- which nodes may be mutated -------------------------------------------------------------

_COMPARE_SWAPS: Final[dict[type[ast.cmpop], type[ast.cmpop]]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_BINOP_SWAPS: Final[dict[type[ast.operator], type[ast.operator]]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitAnd,
}
_BOOLOP_SWAPS: Final[dict[type[ast.boolop], type[ast.boolop]]] = {ast.And: ast.Or, ast.Or: ast.And}


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes (with their subtrees) that are never mutated (see the module docstring)."""
    skipped: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skipped.append(body[0])  # docstring
            if not isinstance(node, ast.Module):
                skipped.extend(node.decorator_list)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.returns is not None:
                    skipped.append(node.returns)
                args = node.args
                for arg in (
                    *args.posonlyargs,
                    *args.args,
                    *args.kwonlyargs,
                    args.vararg,
                    args.kwarg,
                ):
                    if arg is not None and arg.annotation is not None:
                        skipped.append(arg.annotation)
        elif isinstance(node, ast.AnnAssign):
            skipped.append(node.annotation)
        elif isinstance(node, ast.Raise):
            skipped.extend(
                sub
                for sub in ast.walk(node)
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
            )
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in ("__all__", "__slots__") for t in targets):
                skipped.append(node)
        elif isinstance(node, ast.Call) and _called_name(node) in ("cast", "NewType"):
            skipped.extend(node.args[:1])  # a type expression or a new type's name
        elif isinstance(node, ast.Call) and _called_name(node) == "TypeVar":
            skipped.append(node)  # name, bounds and variance matter to type checkers only
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in _LITERAL_NAMES:
            skipped.append(node)  # Literal["a", "b"]: a type expression
        elif isinstance(node, ast.Import | ast.ImportFrom):
            skipped.append(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.append(node)  # attribute docstrings and bare `...`
    ids: set[int] = set()
    for node in skipped:
        ids.update(id(sub) for sub in ast.walk(node))
    return ids


_LITERAL_NAMES: Final = frozenset(["Literal", "typing.Literal", "typing_extensions.Literal"])
"""How a ``Literal[...]`` type expression is spelled. asgikit never reads a ``Literal``'s values
at runtime (no ``get_args``), so changing them cannot alter behaviour."""


def _called_name(call: ast.Call) -> str:
    """The bare name a call is made through (``cast`` for ``cast(...)`` and ``typing.cast(...)``)."""
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def _in_function_body(tree: ast.Module) -> set[int]:
    """ids of statements directly inside a function body (candidates for deletion)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for holder in ast.walk(node):
                for name in ("body", "orelse", "finalbody"):
                    statements: object = getattr(holder, name, None)
                    if isinstance(statements, list):
                        items = cast("list[object]", statements)
                        ids.update(id(s) for s in items if isinstance(s, ast.stmt))
                if isinstance(holder, ast.ExceptHandler | ast.match_case):
                    ids.update(id(s) for s in holder.body)
    return ids


def _module_level_mutable(tree: ast.Module) -> set[int]:
    """ids of nodes that may be mutated: inside functions and classes, and in module-level
    assignments (constants); never in imports or other module-level statements."""
    ids: set[int] = set()
    for statement in tree.body:
        if isinstance(
            statement,
            ast.Assign | ast.AnnAssign | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
        ):
            ids.update(id(sub) for sub in ast.walk(statement))
    return ids


def _variants(node: ast.AST, deletable: bool) -> list[str]:
    """The operator names that apply to ``node``, in a fixed order."""
    found: list[str] = []
    if isinstance(node, ast.Compare):
        found.extend(f"compare{i}" for i, op in enumerate(node.ops) if type(op) in _COMPARE_SWAPS)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        found.append("binop")
    elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP_SWAPS:
        found.append("augassign")
    elif isinstance(node, ast.BoolOp):
        found.append("boolop")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found.append("not-removal")
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            found.append("bool-flip")
        elif isinstance(value, int):
            found.extend(("int+1", "int-1"))
        elif isinstance(value, str | bytes):
            found.append("string")
    elif (
        isinstance(node, ast.Return)
        and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    ):
        found.append("return-none")
    bare_annotation = isinstance(node, ast.AnnAssign) and node.value is None
    if (
        deletable
        and isinstance(node, ast.stmt)
        and not isinstance(node, ast.Pass | ast.Return)
        and not bare_annotation
    ):
        found.append("delete")
    return found


def _apply(
    node: ast.AST, operator: str, parents: dict[int, tuple[ast.AST, str, int | None]]
) -> None:
    """Apply ``operator`` to ``node`` in place (its tree is a private copy)."""
    if operator.startswith("compare"):
        assert isinstance(node, ast.Compare)
        i = int(operator.removeprefix("compare"))
        node.ops[i] = _COMPARE_SWAPS[type(node.ops[i])]()
    elif operator in ("binop", "augassign"):
        assert isinstance(node, ast.BinOp | ast.AugAssign)
        node.op = _BINOP_SWAPS[type(node.op)]()
    elif operator == "boolop":
        assert isinstance(node, ast.BoolOp)
        node.op = _BOOLOP_SWAPS[type(node.op)]()
    elif operator == "not-removal":
        assert isinstance(node, ast.UnaryOp)
        _replace(node, node.operand, parents)
    elif operator == "bool-flip":
        assert isinstance(node, ast.Constant)
        node.value = not node.value
    elif operator in ("int+1", "int-1"):
        assert isinstance(node, ast.Constant) and isinstance(node.value, int)
        node.value = node.value + (1 if operator == "int+1" else -1)
    elif operator == "string":
        assert isinstance(node, ast.Constant)
        value = node.value
        if isinstance(value, str):
            node.value = f"XX{value}XX"
        elif isinstance(value, bytes):
            node.value = b"XX" + value + b"XX"
    elif operator == "return-none":
        assert isinstance(node, ast.Return)
        node.value = ast.Constant(None)
    elif operator == "delete":
        # `if False: <statement>` never runs, and keeps the names the statement uses in the
        # symbol table, so a method's closure (`__class__` for super()) stays the same.
        assert isinstance(node, ast.stmt)
        _replace(node, ast.If(test=ast.Constant(False), body=[node], orelse=[]), parents)
    else:
        raise ValueError(f"unknown operator {operator!r}")


def _replace(
    node: ast.AST, new: ast.AST, parents: dict[int, tuple[ast.AST, str, int | None]]
) -> None:
    """Put ``new`` where ``node`` is in its parent."""
    parent, name, index = parents[id(node)]
    if index is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new


def _parents(tree: ast.AST) -> dict[int, tuple[ast.AST, str, int | None]]:
    """Map each node's id to (parent, field name, index in the field's list or None)."""
    found: dict[int, tuple[ast.AST, str, int | None]] = {}
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                found[id(value)] = (parent, name, None)
            elif isinstance(value, list):
                items = cast("list[object]", value)
                for index, item in enumerate(items):
                    if isinstance(item, ast.AST):
                        found[id(item)] = (parent, name, index)
    return found


def _snippet(node: ast.AST) -> str:
    """A one-line rendering of ``node`` for the report."""
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= 90 else text[:87] + "..."


def mutants(source: str) -> list[Mutant]:
    """Every mutant of ``source``, numbered in a stable order (by line and column)."""
    tree = ast.parse(source)
    skipped = _skipped_nodes(tree)
    deletable = _in_function_body(tree)
    allowed = _module_level_mutable(tree)
    points: list[tuple[int, int, int, int]] = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skipped or id(node) not in allowed:
            continue
        line, column = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
        for variant in range(len(_variants(node, id(node) in deletable))):
            points.append((line, column, index, variant))
    found: list[Mutant] = []
    for line, _, index, variant in sorted(points):
        mutated = mutate(source, index, variant)
        found.append(
            Mutant(
                len(found) + 1,
                index,
                variant,
                line,
                mutated.operator,
                mutated.before,
                mutated.after,
            )
        )
    return found


@dataclass(frozen=True)
class Mutated:
    """A mutated module: its tree and a rendering of the changed node before and after."""

    tree: ast.Module
    operator: str
    before: str
    after: str


def mutate(source: str, node_index: int, variant: int) -> Mutated:
    """Parse ``source`` afresh and apply the ``variant``-th operator to the ``node_index``-th node."""
    tree = ast.parse(source)
    deletable = _in_function_body(tree)
    nodes = list(ast.walk(tree))
    node = nodes[node_index]
    operator = _variants(node, id(node) in deletable)[variant]
    parents = _parents(tree)
    before = _snippet(node)
    if operator == "delete":
        after = "pass"
    elif operator == "not-removal":
        assert isinstance(node, ast.UnaryOp)
        after = _snippet(node.operand)
    else:
        after = ""
    _apply(node, operator, parents)
    if not after:
        after = _snippet(node)
    ast.fix_missing_locations(tree)
    return Mutated(tree, operator, before, after)


def canary(source: str) -> ast.Module:
    """The module with ``raise AssertionError`` as the first statement of every function (the
    original body stays behind it, so closure variables such as ``__class__`` are unchanged)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            raise_stmt = ast.parse("raise AssertionError('mutation canary')").body[0]
            node.body.insert(0, raise_stmt)
    ast.fix_missing_locations(tree)
    return tree


# --- moving a mutation into the live module (runs in the forked child) ----------------------

_SIMPLE_VALUES: Final[tuple[type, ...]] = (
    int,
    float,
    str,
    bytes,
    bool,
    tuple,
    frozenset,
    dict,
    list,
    set,
    re.Pattern,
    type(None),
)


def _is_simple(value: object) -> bool:
    """Whether ``value`` is a plain data value (a constant worth moving into the live module)."""
    return isinstance(value, _SIMPLE_VALUES)


class IncompatibleMutant(Exception):
    """The mutated code cannot replace the live code (its closure variables differ)."""


class InvalidMutant(Exception):
    """The mutated module raises when it is executed (e.g. ``|`` turned into ``&`` in a type
    alias): no test is needed to reject it, so it is not counted."""


def _swap_code(
    old: types.FunctionType, new: types.FunctionType, live_of: dict[int, object]
) -> None:
    """Give ``old`` the code and defaults of ``new``.

    A default that is one of the fresh module's objects (a sentinel such as ``_MISSING``, which
    the code compares by identity with the live module's) is replaced by the live object.
    """
    if old.__code__.co_freevars != new.__code__.co_freevars:
        raise IncompatibleMutant(f"{old.__qualname__}: closure variables differ")
    old.__code__ = new.__code__
    defaults = new.__defaults__
    old.__defaults__ = None if defaults is None else tuple(live_of.get(id(d), d) for d in defaults)
    kwdefaults = new.__kwdefaults__
    old.__kwdefaults__ = (
        None if kwdefaults is None else {k: live_of.get(id(d), d) for k, d in kwdefaults.items()}
    )


def _functions_of(value: object) -> list[types.FunctionType]:
    """The plain functions inside a class attribute (function, staticmethod, property, ...)."""
    if isinstance(value, types.FunctionType):
        return [value]
    if isinstance(value, staticmethod | classmethod):
        inner: object = cast("staticmethod[..., object]", value).__func__
        return [inner] if isinstance(inner, types.FunctionType) else []
    if isinstance(value, property):
        return [
            f for f in (value.fget, value.fset, value.fdel) if isinstance(f, types.FunctionType)
        ]
    return []


def _patch_class(old: type, new: type, module_name: str, live_of: dict[int, object]) -> None:
    """Move the mutated methods and class constants of ``new`` into ``old``."""
    for name, new_value in vars(new).items():
        old_value = vars(old).get(name)
        new_functions = _functions_of(new_value)
        old_functions = _functions_of(old_value)
        if new_functions and len(new_functions) == len(old_functions):
            for old_function, new_function in zip(old_functions, new_functions, strict=True):
                if "__create_fn__" not in old_function.__qualname__:  # dataclass-generated
                    _swap_code(old_function, new_function, live_of)
        elif isinstance(new_value, type) and isinstance(old_value, type):
            if new_value.__module__ == module_name:
                _patch_class(old_value, new_value, module_name, live_of)
        elif (
            not name.startswith("__") and _is_simple(new_value) and not _same(old_value, new_value)
        ):
            setattr(old, name, new_value)


def _same(a: object, b: object) -> bool:
    """Whether two values are interchangeable (``==`` that never raises)."""
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def install(module: types.ModuleType, tree: ast.Module) -> None:
    """Make ``module`` (and every module that imported names from it) behave as ``tree``."""
    code = compile(tree, module.__file__ or module.__name__, "exec")
    fresh: dict[str, object] = {
        "__name__": module.__name__,
        "__package__": module.__package__,
        "__file__": module.__file__,
        "__builtins__": builtins,
    }
    exec(code, fresh)
    rebound: dict[str, tuple[object, object]] = {}
    live = vars(module)
    # Fresh objects that stand for live ones (everything but the constants the mutant changed).
    live_of: dict[int, object] = {}
    for name, new_value in fresh.items():
        if name.startswith("__") or name not in live:
            continue
        old_value = live[name]
        if _is_simple(new_value) and not _same(old_value, new_value):
            rebound[name] = (old_value, new_value)
        else:
            live_of[id(new_value)] = old_value
    for name, new_value in fresh.items():
        if name.startswith("__"):
            continue
        old_value = live.get(name)
        if getattr(old_value, "__module__", None) != module.__name__:
            continue  # not defined in this module (an import)
        if isinstance(new_value, types.FunctionType) and isinstance(old_value, types.FunctionType):
            _swap_code(old_value, new_value, live_of)
        elif isinstance(new_value, type) and isinstance(old_value, type):
            _patch_class(old_value, new_value, module.__name__, live_of)
    for name, (_, new_value) in rebound.items():
        live[name] = new_value
    if not rebound:
        return
    for other in list(sys.modules.values()):
        path = getattr(other, "__file__", None)
        if other is module or path is None or not str(path).startswith(str(ROOT)):
            continue
        namespace = vars(other)
        for name, (old_value, new_value) in rebound.items():
            if name in namespace and namespace[name] is old_value:
                namespace[name] = new_value


# --- running ---------------------------------------------------------------------------------


def _load_hypothesis_profile(max_examples: int) -> None:
    """Deterministic, bounded hypothesis runs (registered before any test module is imported)."""
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "mutation",
        derandomize=True,
        max_examples=max_examples,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("mutation")


def _pytest_run(test_files: list[str], quiet: bool) -> int:
    """Run the tests in this process; the pytest exit code."""
    import pytest

    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    return int(pytest.main([*PYTEST_ARGS, *test_files]))


def _fork(action: Callable[[], int]) -> tuple[int, int]:
    """Start ``action`` in a forked child (its own process group); (pid, read end of its pipe).

    The child writes its status to the pipe: 0 passed, 99 incompatible mutant, 98 invalid
    mutant, else failed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        status = 1
        try:
            os.setpgid(0, 0)
            status = action()
        except IncompatibleMutant:
            status = 99
        except InvalidMutant:
            status = 98
        except BaseException:
            status = 1
        finally:
            os.write(write_end, b"%d\n" % status)
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _outcome(pid: int, read_end: int) -> str:
    """Collect a finished child: "passed", "failed" or "incompatible"."""
    data = os.read(read_end, 64)
    os.close(read_end)
    os.waitpid(pid, 0)
    try:
        status = int(data.strip() or b"1")
    except ValueError:
        status = 1
    if status == 99:
        return "incompatible"
    if status == 98:
        return "invalid"
    return "passed" if status == 0 else "failed"


def _kill(pid: int, read_end: int) -> str:
    """Kill a child that ran out of time (with anything it started)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_end)
    return "timeout"


def _run_forked(action: Callable[[], int], timeout: float) -> str:
    """Run ``action`` in a forked child: "passed", "failed", "incompatible", "invalid" or "timeout"."""
    return next(iter(_run_many([action], timeout, jobs=1).values()))


def _run_many(
    actions: Sequence[Callable[[], int]],
    timeout: float,
    jobs: int,
    done: Callable[[int, str], None] = lambda index, outcome: None,
) -> dict[int, str]:
    """Run the actions in forked children, at most ``jobs`` at a time; outcome by index.
    ``done`` is told each outcome as soon as it is known."""
    outcomes: dict[int, str] = {}
    pending = list(enumerate(actions))
    pending.reverse()
    running: dict[int, tuple[int, int, float]] = {}  # read end -> (index, pid, deadline)
    try:
        _run_loop(pending, running, outcomes, timeout, jobs, done)
    except KeyboardInterrupt:
        for read_end, (_, pid, _) in running.items():
            _kill(pid, read_end)
        raise
    return outcomes


def _run_loop(
    pending: list[tuple[int, Callable[[], int]]],
    running: dict[int, tuple[int, int, float]],
    outcomes: dict[int, str],
    timeout: float,
    jobs: int,
    done: Callable[[int, str], None],
) -> None:
    """The scheduling loop of ``_run_many``."""
    while pending or running:
        while pending and len(running) < jobs:
            index, action = pending.pop()
            pid, read_end = _fork(action)
            running[read_end] = (index, pid, time.monotonic() + timeout)
        nearest = min(deadline for _, _, deadline in running.values())
        ready, _, _ = select.select(list(running), [], [], max(0.0, nearest - time.monotonic()))
        for read_end in ready:
            index, pid, _ = running.pop(read_end)
            outcomes[index] = _outcome(pid, read_end)
            done(index, outcomes[index])
        now = time.monotonic()
        for read_end, (index, pid, deadline) in list(running.items()):
            if deadline <= now:
                del running[read_end]
                outcomes[index] = _kill(pid, read_end)
                done(index, outcomes[index])


def run_module(
    name: str,
    *,
    timeout: float | None,
    only_lines: tuple[int, int] | None,
    only_numbers: frozenset[int],
    jobs: int,
    verbose: bool,
    report: Callable[[str], None],
) -> Result:
    """Mutate ``asgikit.<name>`` and run its fast tests against every mutant."""
    module = importlib.import_module(f"asgikit.{name}")
    source = (SRC / f"{name}.py").read_text(encoding="utf-8")
    tests = [t for t in FAST_TESTS[name] if (ROOT / t).exists()]
    result = Result(name)

    started = time.monotonic()
    if _run_forked(lambda: _pytest_run(tests, quiet=not verbose), timeout=600) != "passed":
        raise SystemExit(f"{name}: the unmutated module fails its tests; fix that first")
    baseline = time.monotonic() - started
    limit = timeout if timeout is not None else max(10.0, 4 * baseline + 5)
    # Warm the parent (imports, collection) so that each child starts from a collected state.
    _pytest_run_in_parent(tests)

    canary_tree = canary(source)
    outcome = _run_forked(partial(_install_and_test, module, canary_tree, tests), timeout=limit)
    if outcome not in ("failed", "timeout"):
        raise SystemExit(
            f"{name}: the canary mutant was not killed ({outcome}); mutants are not active"
        )

    all_mutants = mutants(source)
    if only_lines is not None:
        low, high = only_lines
        all_mutants = [m for m in all_mutants if low <= m.line <= high]
    if only_numbers:
        all_mutants = [m for m in all_mutants if m.number in only_numbers]
    report(
        f"{name}: {len(all_mutants)} mutants, tests: {' '.join(tests)}, baseline {baseline:.1f}s, timeout {limit:.0f}s"
    )
    actions = [
        partial(_install_and_test, module, mutate(source, m.node_index, m.variant).tree, tests)
        for m in all_mutants
    ]

    finished = 0

    def done(index: int, outcome: str) -> None:
        nonlocal finished
        finished += 1
        if finished % 25 == 0:
            report(f"  ... {finished}/{len(all_mutants)} run")
        mutant = all_mutants[index]
        if outcome == "failed":
            result.killed += 1
        elif outcome == "timeout":
            result.timeout += 1
        elif outcome in ("incompatible", "invalid"):
            result.skipped.append(mutant)
            report(
                f"  not counted ({outcome}) #{mutant.number} {name}.py:{mutant.line} {mutant.operator}"
            )
        else:
            result.survived.append(mutant)
            report(
                f"  SURVIVED #{mutant.number} {name}.py:{mutant.line} {mutant.operator}: "
                f"{mutant.before}  ->  {mutant.after}"
            )

    result.planned = len(all_mutants)
    try:
        _run_many(actions, limit, jobs, done)
    except KeyboardInterrupt:
        result.interrupted = True
    result.survived.sort(key=lambda mutant: mutant.number)
    return result


def _pytest_run_in_parent(tests: list[str]) -> None:
    """One quiet run in the parent so that forked children inherit imported test modules."""
    saved = os.dup(1), os.dup(2)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        import pytest

        pytest.main([*PYTEST_ARGS, "--collect-only", *tests])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)


def _install_and_test(module: types.ModuleType, tree: ast.Module, tests: list[str]) -> int:
    """Child side: activate the mutant, then run the tests quietly."""
    try:
        install(module, tree)
    except IncompatibleMutant:
        raise
    except Exception as exc:
        raise InvalidMutant(str(exc)) from exc
    # The first file (the module's edge tests) runs alone: most mutants fail there, and then
    # the other files are not even collected. A mutant that passes it meets all the others.
    first = _pytest_run(tests[:1], quiet=True)
    if first != 0 or len(tests) == 1:
        return first
    return _pytest_run(tests[1:], quiet=True)


def _parse_lines(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/mutation", description="Mutation testing of asgikit's parsing modules."
    )
    parser.add_argument(
        "modules", nargs="*", help=f"modules to mutate (default: all of {', '.join(FAST_TESTS)})"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--lines", type=_parse_lines, help="only mutants on these lines (N or N-M)")
    parser.add_argument(
        "--mutants",
        type=lambda text: frozenset(int(n) for n in text.split(",")),
        default=frozenset(),
        help="only these mutant numbers (comma-separated, as printed)",
    )
    parser.add_argument(
        "--timeout", type=float, help="seconds per mutant (default: 4x the clean run + 5)"
    )
    parser.add_argument(
        "--max-examples", type=int, default=HYPOTHESIS_EXAMPLES, help="hypothesis max_examples"
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="mutants run in parallel (default 1)"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show the output of the unmutated run"
    )
    args = parser.parse_args(argv)
    names: list[str] = args.modules or list(FAST_TESTS)
    for name in names:
        if name not in FAST_TESTS:
            parser.error(f"unknown module {name!r}; choose from {', '.join(FAST_TESTS)}")
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    if args.list:
        for name in names:
            for mutant in mutants((SRC / f"{name}.py").read_text(encoding="utf-8")):
                print(
                    f"{name}.py:{mutant.line} #{mutant.number} {mutant.operator}: {mutant.before}  ->  {mutant.after}"
                )
        return 0

    _load_hypothesis_profile(args.max_examples)
    # SIGTERM (like Ctrl-C) stops the run and still prints the table of what was measured.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results: list[Result] = []
    for name in names:
        if results and results[-1].interrupted:
            break
        results.append(
            run_module(
                name,
                timeout=args.timeout,
                only_lines=args.lines,
                only_numbers=args.mutants,
                jobs=args.jobs,
                verbose=args.verbose,
                report=_print,
            )
        )
    print()
    print("| Module | Mutants | Killed | Timeout | Survived | Score |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        partial = (
            f" (interrupted: {result.total} of {result.planned} run)" if result.interrupted else ""
        )
        print(
            f"| `{result.module}`{partial} | {result.total} | {result.killed} | {result.timeout} | "
            f"{len(result.survived)} | {result.score:.1f}% |"
        )
        if result.skipped:
            print(f"  not counted: {', '.join(f'#{m.number}' for m in result.skipped)}")
    return 0


def _print(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
