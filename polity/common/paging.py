"""Pages of a list: "Showing 51–100 of 1,234" and the page numbers to link (first, last, and near this one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PageNumbers:
    page: int
    total: int
    page_size: int
    shown: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.page_size + self.shown

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """The pages to link: the first, the last, and those near this one; None where pages are skipped."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if numbers and numbers[-1] is not None and n > numbers[-1] + 1:
                numbers.append(None)
            numbers.append(n)
        return numbers
