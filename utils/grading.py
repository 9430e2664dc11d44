"""Checks for the graded exercises (``exercises/``): is an answer the student's own work?

A question that asks for a block, a layer, an update rule or a function written from scratch
calls :func:`assert_own_work` at the top of every test of that question::

    def test_q2_structure(Inception):
        from utils.grading import assert_own_work

        assert_own_work(Inception)                       # not the book's utils.models...
        ...

    def test_q1_torch(max_pool2d):
        from utils.grading import assert_own_work

        assert_own_work(max_pool2d, forbidden=("torch", "scipy"))   # NumPy only
        ...

The check is static: it reads the answer's bytecode (no source file needed, so it works on
functions and classes defined in notebook cells) and follows every global name, closure
variable, default value, base class and method it reaches, through the student's own helper
functions and classes. It fails (``AssertionError`` with a message that says what to do)
when the answer

- is, subclasses, imports or calls anything from the book's own package ``utils`` (its
  model zoo ``utils.models``, ``utils.ops``, ``utils.optim``, ``utils.augment``, ...);
- uses one of the ``forbidden`` names: a module (``"torch"``, ``"scipy"``: nothing from
  it) or an object (``"torch.nn.functional.conv2d"``, ``"torch.nn.MaxPool2d"``,
  ``"torch.optim.Adam"``: that object, its subclasses and instances, or any attribute,
  import or string of that name);
- is not a function or class defined by the student at all (``max_pool2d =
  F.max_pool2d``, ``Pool = nn.MaxPool2d``).

It cannot see through ``eval`` of computed strings; it is meant to stop the honest shortcut
of importing the implementation the question asks for, with a clear message, not to be a
sandbox.
"""

from __future__ import annotations

import dis
import functools
import inspect
import sys
from collections.abc import Iterable
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType, ModuleType

BOOK_PACKAGE = __name__.partition(".")[0]
"""Top-level name of the book's package (``utils``): never allowed inside an own answer."""

_NOTEBOOK_MODULES = {"__main__", "__mp_main__"}
_IMPORT_OPS = {"IMPORT_NAME"}
_ATTRIBUTE_OPS = {"LOAD_ATTR", "LOAD_METHOD", "LOAD_SUPER_ATTR", "IMPORT_FROM", "STORE_ATTR"}
_GLOBAL_OPS = {"LOAD_GLOBAL", "LOAD_NAME"}


class _Found(Exception):
    """Raised inside the checker when an answer relies on something it must not."""

    def __init__(self, what: str, kind: str, itself: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.kind = kind  # "book", "forbidden" or "not_own"
        self.itself = itself  # the answer is that thing (rather than using it)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _resolve(dotted: str) -> object | None:
    """The object a dotted name refers to, looked up among the modules already imported
    (nothing is imported here); None when it cannot be found."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:i]))
        if module is None:
            continue
        obj: object = module
        for part in parts[i:]:
            if not hasattr(obj, part):
                return None
            obj = getattr(obj, part)
        return obj
    return None


@functools.cache
def _is_library(module: str) -> bool:
    """Whether ``module`` belongs to an installed library, the standard library or the book's
    package (rather than to the student's notebook or a test module)."""
    if not module or module in _NOTEBOOK_MODULES:
        return False
    top = module.partition(".")[0]
    if top == BOOK_PACKAGE or top == "builtins" or top in sys.stdlib_module_names:
        return True
    file = getattr(sys.modules.get(top), "__file__", None)
    return file is not None and any(p in ("site-packages", "dist-packages")
                                    for p in Path(file).parts)


def _module_of(obj: object) -> str:
    if isinstance(obj, ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) and not isinstance(obj, type):
        module = getattr(type(obj), "__module__", None)
    return module if isinstance(module, str) else ""


def _describe(obj: object) -> str:
    if isinstance(obj, ModuleType):
        return obj.__name__
    name = getattr(obj, "__qualname__", None)
    if not isinstance(name, str) or "<locals>" in name:
        name = getattr(obj, "__name__", None)
    if not isinstance(name, str):
        return f"an instance of {_describe(type(obj))}"
    module = _module_of(obj)
    return f"{module}.{name}" if module else name


class _Checker:
    """Walks an answer and raises :class:`_Found` at the first thing it must not use."""

    def __init__(self, forbidden: Iterable[str], allow: Iterable[str]) -> None:
        self.forbidden = [f.strip() for f in forbidden if f.strip()]
        self.allow = [a.strip() for a in allow if a.strip()]
        self.objects: list[tuple[object, str]] = []
        for name in self.forbidden:
            obj = _resolve(name)
            if obj is not None and not isinstance(obj, ModuleType):
                self.objects.append((obj, name))
        self.names = {f.rpartition(".")[2]: f for f in self.forbidden}
        self.seen: set[int] = set()

    # ---------------------------------------------------------------- verdicts on names
    def _book(self, module: str) -> bool:
        return _within(module, BOOK_PACKAGE) and not any(_within(module, a) for a in self.allow)

    def _forbidden_module(self, module: str) -> str | None:
        return next((f for f in self.forbidden if module and _within(module, f)), None)

    def check_module_name(self, module: str) -> None:
        if self._book(module):
            raise _Found(module, "book")
        hit = self._forbidden_module(module)
        if hit is not None:
            raise _Found(module, "forbidden")

    def check_attribute(self, name: str) -> None:
        if name in self.names:
            raise _Found(self.names[name], "forbidden")

    def check_string(self, text: str) -> None:
        if text in self.names or text in self.forbidden:
            raise _Found(self.names.get(text, text), "forbidden")
        if self._book(text):
            raise _Found(text, "book")

    # ---------------------------------------------------------------- verdicts on objects
    def _forbidden_object(self, obj: object) -> str | None:
        for bad, name in self.objects:
            if obj is bad:
                return name
            if isinstance(bad, type) and isinstance(obj, type) and issubclass(obj, bad):
                return name
        return None

    def check_object(self, obj: object) -> None:
        """A value the answer refers to: a module, a function or class (walked when it is
        the student's own), or an instance."""
        if isinstance(obj, ModuleType):
            self.check_module_name(obj.__name__)
            return
        if isinstance(obj, MethodType):
            obj = obj.__func__
        if isinstance(obj, functools.partial):
            self.check_object(obj.func)
            for value in (*obj.args, *obj.keywords.values()):
                self.check_object(value)
            return
        if isinstance(obj, (FunctionType, type, BuiltinFunctionType)) or callable(obj):
            kind = obj if isinstance(obj, (FunctionType, type, BuiltinFunctionType)) else type(obj)
            hit = self._forbidden_object(kind)
            if hit is None and not isinstance(obj, type):
                hit = next((name for bad, name in self.objects
                            if isinstance(bad, type) and isinstance(obj, bad)), None)
            if hit is not None:
                raise _Found(hit, "forbidden")
            module = _module_of(kind)
            if self._book(module):
                raise _Found(_describe(kind), "book")
            if self._forbidden_module(module):
                raise _Found(_describe(kind), "forbidden")
            if not _is_library(module):
                if isinstance(kind, type):
                    self.walk_class(kind)
                elif isinstance(kind, FunctionType):
                    self.walk_function(kind)

    # ---------------------------------------------------------------- walking code
    def walk_function(self, fn: FunctionType) -> None:
        if id(fn) in self.seen:
            return
        self.seen.add(id(fn))
        for value in (*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()):
            self.check_object(value)
        for cell in fn.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            self.check_object(value)
        self.walk_code(fn.__code__, fn.__globals__)

    def walk_code(self, code: CodeType, globals_: dict[str, object]) -> None:
        for ins in dis.get_instructions(code):
            arg = ins.argval
            if ins.opname in _GLOBAL_OPS and isinstance(arg, str):
                if arg in globals_:
                    self.check_object(globals_[arg])
            elif ins.opname in _ATTRIBUTE_OPS and isinstance(arg, str):
                self.check_attribute(arg)
            elif ins.opname in _IMPORT_OPS and isinstance(arg, str):
                self.check_module_name(arg)
            elif ins.opname == "LOAD_CONST" and isinstance(arg, str):
                self.check_string(arg)
        for const in code.co_consts:
            if isinstance(const, CodeType):
                self.walk_code(const, globals_)

    def walk_class(self, cls: type) -> None:
        if id(cls) in self.seen:
            return
        self.seen.add(id(cls))
        for base in cls.__mro__:
            if base is object:
                continue
            hit = self._forbidden_object(base)
            if hit is not None:
                raise _Found(hit, "forbidden")
            module = _module_of(base)
            if self._book(module):
                raise _Found(_describe(base), "book")
            if self._forbidden_module(module):
                raise _Found(_describe(base), "forbidden")
            if _is_library(module) or (base is not cls and id(base) in self.seen):
                continue
            self.seen.add(id(base))
            for key, value in vars(base).items():
                if key in ("__module__", "__doc__", "__qualname__", "__dict__", "__weakref__"):
                    continue
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, property):
                    for f in (value.fget, value.fset, value.fdel):
                        if isinstance(f, FunctionType):
                            self.walk_function(f)
                elif isinstance(value, FunctionType):
                    self.walk_function(value)
                else:
                    self.check_object(value)

    def check_answer(self, answer: object) -> None:
        """The answer itself must be a function or class the student defined."""
        target = answer.__func__ if isinstance(answer, MethodType) else answer
        if isinstance(target, functools.partial):
            target = target.func
        kind = target if isinstance(target, (FunctionType, type)) else type(target)
        module = _module_of(kind)
        if self._book(module):
            raise _Found(_describe(kind), "book", itself=True)
        hit = self._forbidden_object(kind) or self._forbidden_module(module)
        if hit is not None:
            raise _Found(_describe(kind), "forbidden", itself=True)
        if _is_library(module) or not (inspect.isfunction(kind) or inspect.isclass(kind)):
            raise _Found(_describe(kind), "not_own", itself=True)
        self.check_object(answer)


def own_work_problem(answer: object, forbidden: Iterable[str] = (), *,
                     allow: Iterable[str] = ()) -> tuple[str, str, bool] | None:
    """What keeps ``answer`` from being the student's own work, or None when nothing does.

    Returns ``(what, kind, itself)``: the name of the thing it relies on; ``kind`` is
    ``"book"`` (the book's ``utils`` package), ``"forbidden"`` (one of ``forbidden``) or
    ``"not_own"`` (the answer is not a function or class the student defined); ``itself``
    is true when the answer *is* that thing rather than using it. ``allow`` lists parts of
    the book's package an answer may use (e.g. ``"utils.train"``).
    """
    if isinstance(forbidden, str) or isinstance(allow, str):
        raise TypeError("forbidden and allow are lists of names, e.g. ('torch',)")
    try:
        _Checker(forbidden, allow).check_answer(answer)
    except _Found as found:
        return found.what, found.kind, found.itself
    return None


def assert_own_work(answer: object, forbidden: Iterable[str] = (), *, name: str | None = None,
                    hint: str | None = None, allow: Iterable[str] = ()) -> None:
    """Fail (``AssertionError``) unless ``answer`` is a function or class the student wrote
    without the book's ``utils`` package and without any of the ``forbidden`` names (modules
    such as ``"torch"`` or objects such as ``"torch.nn.functional.conv2d"``).

    ``name`` is how the message calls the answer (default: its ``__name__``); ``hint`` says
    what to write instead (default: a generic sentence); ``allow`` lists parts of the book's
    package that may be used.
    """
    problem = own_work_problem(answer, forbidden, allow=allow)
    if problem is None:
        return
    what, kind, itself = problem
    label = name or getattr(answer, "__name__", None) or "your answer"
    verb = "is" if itself else "uses"
    if kind == "book":
        reason = (f"{verb} `{what}` from the book's own `{BOOK_PACKAGE}` package (its "
                  "reference implementation)")
    elif kind == "forbidden":
        reason = f"{verb} `{what}`, which this question asks you not to use"
    else:
        reason = f"is `{what}` itself, not a function or class defined in your notebook"
    advice = hint or ("Write it yourself in your notebook, from the building blocks the "
                      "question allows.")
    raise AssertionError(f"`{label}` must be your own work, but it {reason}. {advice} "
                         "Until then this question scores 0.")
