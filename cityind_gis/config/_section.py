"""How a config section validates itself.

Each section of the TOML file is a frozen dataclass deriving from :class:`Section`.
A field declares its own check next to its default with :func:`option`::

    distance: float = option(1000.0, check=positive(example=1000))

``__post_init__`` runs every check (so ``GapConfig(distance=-1)`` raises an
:class:`~cityind_gis._errors.InputError` naming `` `[gaps] distance` ``); a check
returns the value normalised (``250`` -> ``250.0``, a list -> a tuple) and raises
with a message naming the key. :meth:`Section.from_toml` adds what only a file
has: unknown keys (with the nearest valid key), paths relative to the file, and
every problem of the section in one error.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._errors import InputError

__all__ = [
    "Check",
    "Section",
    "option",
    "close_names",
    "name_hint",
    "unknown_keys",
    "problems_of",
    "raise_problems",
]

#: A field check: ``check(value, where)`` returns the value normalised or raises
#: :class:`InputError` naming ``where`` (e.g. ``"[gaps] distance"``).
Check = Callable[[Any, str], Any]

#: A TOML converter: ``convert(value, base)`` turns a raw TOML value into the
#: field's value, resolving paths against the config file's folder ``base``.
Convert = Callable[[Any, Path], Any]


def option(
    default: Any = dataclasses.MISSING,
    *,
    check: Check | None = None,
    toml: Convert | None = None,
    factory: Callable[[], Any] | Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field with its check (and TOML converter) in its metadata.

    Parameters
    ----------
    default : object, optional
        Default value (documented in ``docs/config.md``).
    check : callable, optional
        ``check(value, where) -> value``; see :data:`Check`. A value equal to
        the default (of the same type) is not checked.
    toml : callable, optional
        ``toml(value, base) -> value`` applied by :meth:`Section.from_toml`
        before the check (path resolution).
    factory : callable, optional
        Default factory, instead of ``default``.

    Returns
    -------
    dataclasses.Field
    """
    metadata = {name: f for name, f in (("check", check), ("toml", toml)) if f is not None}
    return dataclasses.field(default=default, default_factory=factory, metadata=metadata)


def close_names(name: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` names of ``known`` that look like ``name`` (difflib ratio >= 0.6).

    Parameters
    ----------
    name : str
        A misspelt name.
    known : iterable of str
        Valid names.
    n : int, default 3
        Most names returned, closest first.

    Returns
    -------
    list of str
    """
    return difflib.get_close_matches(name, sorted(set(known)), n=n, cutoff=0.6)


def name_hint(name: str, known: Iterable[str], *, n: int = 3) -> str:
    """``" (did you mean 'a', 'b'?)"`` for the names of ``known`` closest to ``name``, or ``""``.

    The one "did you mean" helper of the config (unknown keys, sections and
    indicator names).

    Parameters
    ----------
    name : str
        A misspelt name.
    known : iterable of str
        Valid names.
    n : int, default 3
        Most names suggested.

    Returns
    -------
    str
    """
    close = close_names(name, known, n=n)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def unknown_keys(where: str, unknown: list[str], known: Iterable[str], noun: str = "key") -> str:
    """Message for unknown keys (or sections), each with its nearest valid name.

    Parameters
    ----------
    where : str
        Subject of the message, e.g. ``"config section `[gaps]`"``.
    unknown : list of str
        Unknown names, sorted.
    known : iterable of str
        Valid names.
    noun : str, default "key"
        ``"key"`` or ``"section"``.

    Returns
    -------
    str
        E.g. ``config section `[gaps]` has unknown key(s) ['distnce'] (did you mean
        'distance'?); known keys are [...].``
    """
    known = sorted(known)
    if len(unknown) == 1:
        hint = name_hint(unknown[0], known, n=1)
    else:
        pairs = [f"{u!r} -> {close[0]!r}" for u in unknown if (close := close_names(u, known, n=1))]
        hint = f" (did you mean {', '.join(pairs)}?)" if pairs else ""
    return f"{where} has unknown {noun}(s) {unknown}{hint}; known {noun}s are {known}."


def problems_of(exc: InputError) -> list[str]:
    """The problems an :class:`InputError` of :func:`raise_problems` carries (else its message)."""
    return list(getattr(exc, "problems", None) or [str(exc)])


def raise_problems(problems: list[str], subject: str = "the config") -> None:
    """Raise one :class:`InputError` listing every problem; do nothing when there is none.

    Parameters
    ----------
    problems : list of str
        Messages, each naming its key.
    subject : str, default "the config"
        What has the problems, e.g. ``"config file 'run.toml'"``.

    Raises
    ------
    InputError
        With the single message, or ``"<subject> has N problems:"`` and one line
        per problem; the list is kept in its ``problems`` attribute.
    """
    if not problems:
        return
    if len(problems) == 1:
        msg = problems[0]
    else:
        msg = f"{subject} has {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)
    exc = InputError(msg)
    exc.problems = list(problems)  # type: ignore[attr-defined]
    raise exc


def _is_default(value: Any, f: dataclasses.Field[Any]) -> bool:
    """Whether ``value`` is the field's own default (valid by construction)."""
    if f.default is dataclasses.MISSING:
        return False
    return type(value) is type(f.default) and bool(value == f.default)


class Section:
    """Base of the config sections: field checks in ``__post_init__``, TOML parsing.

    A subclass is a frozen dataclass whose fields are made with :func:`option`; it
    sets ``_table`` to its TOML section name and may override
    :meth:`_check_together` (checks between keys) and :meth:`_toml_keys`.
    """

    _table = ""

    def __post_init__(self) -> None:
        self._validate(self._table)

    def _validate(self, table: str) -> None:
        """Run each field's check, store the normalised values, raise all problems at once."""
        problems: list[str] = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            check = f.metadata.get("check")
            value = getattr(self, f.name)
            if check is None or _is_default(value, f):
                continue
            try:
                new = check(value, f"[{table}] {f.name}")
            except InputError as exc:
                problems += problems_of(exc)
                continue
            if new is not value:
                object.__setattr__(self, f.name, new)
        if not problems:
            problems = self._check_together(table)
        raise_problems(problems, f"`[{table}]`")

    def _check_together(self, table: str) -> list[str]:
        """Problems between keys, once each key is valid on its own (none by default)."""
        return []

    @classmethod
    def _toml_keys(cls, name: str) -> list[str]:
        """Keys the TOML section ``[name]`` takes (every field by default)."""
        return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def _key_problems(cls, name: str, data: dict[str, Any]) -> list[str]:
        """Problems with the keys of ``data`` themselves (unknown keys)."""
        known = cls._toml_keys(name)
        unknown = sorted(set(data) - set(known))
        return [unknown_keys(f"config section `[{name}]`", unknown, known)] if unknown else []

    @classmethod
    def _init_args(cls, name: str) -> dict[str, Any]:
        """Extra constructor arguments for the section ``[name]`` (none by default)."""
        return {}

    @classmethod
    def parse_toml(cls, name: str, data: Any, base: Path) -> tuple[Any, list[str]]:
        """Build the section from a TOML table, collecting every problem instead of raising.

        Parameters
        ----------
        name : str
            Section name, e.g. ``"gaps"``.
        data : object
            The parsed TOML value of ``[name]``.
        base : Path
            Folder of the config file; relative paths are resolved against it.

        Returns
        -------
        tuple of (section or None, list of str)
            The section (None when there are problems) and the problems.
        """
        if not isinstance(data, dict):
            return None, [f"config section `[{name}]` must be a table, got {type(data).__name__}."]
        problems = cls._key_problems(name, data)
        fields = {f.name: f for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                  if f.name in cls._toml_keys(name)}
        kwargs: dict[str, Any] = {}
        for k, value in data.items():
            if k in fields:
                convert = fields[k].metadata.get("toml")
                kwargs[k] = convert(value, base) if convert is not None else value
        try:
            obj = cls(**kwargs, **cls._init_args(name))
        except InputError as exc:
            return None, problems + problems_of(exc)
        return (None if problems else obj), problems

    @classmethod
    def from_toml(cls, name: str, data: Any, base: Path) -> Any:
        """Build the section from a TOML table; raise every problem of it at once.

        Parameters
        ----------
        name : str
            Section name, e.g. ``"gaps"`` (``"landuse"`` or ``"pois"`` for a layer).
        data : dict
            The parsed TOML table.
        base : Path
            Folder of the config file; relative paths are resolved against it.

        Returns
        -------
        Section
            An instance of the class.

        Raises
        ------
        InputError
            Naming each unknown key (with the nearest valid one) and bad value.
        """
        obj, problems = cls.parse_toml(name, data, base)
        raise_problems(problems, f"config section `[{name}]`")
        return obj
