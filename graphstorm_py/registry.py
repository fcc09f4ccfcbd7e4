"""A plain name -> class registry that configs refer to.

An unknown name is a :class:`~graphstorm_py.errors.ConfigError` that lists the valid
choices, so a typo in a config is caught with a useful message.
"""

from __future__ import annotations

from typing import Callable, Dict, Generic, Iterator, TypeVar

from graphstorm_py.errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to classes or factories. ``what`` names the kind of thing, for messages."""

    def __init__(self, what: str):
        self.what = what
        self._items: Dict[str, T] = {}

    def register(self, *names: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            for name in names:
                if name in self._items:
                    raise ValueError(f"{self.what} {name!r} registered twice")
                self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str, key: str | None = None) -> T:
        try:
            return self._items[name]
        except KeyError:
            from graphstorm_py.config.suggest import did_you_mean

            where = f" (key '{key}')" if key else ""
            raise ConfigError(
                f"unknown {self.what} {name!r}{where}; "
                f"valid choices: {', '.join(sorted(self._items))}{did_you_mean(name, self._items)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def names(self) -> list[str]:
        return sorted(self._items)
