"""First-fit allocation of aligned child prefixes inside one parent block.

Children of one parent never overlap, so keeping their ranges sorted by first address keeps the
last addresses sorted too, and one bisect finds the child that blocks a candidate. Released
prefixes stay registered here: they are not handed out again until explicitly freed.
"""

from __future__ import annotations

from bisect import bisect_left

from netaddr import IPNetwork

from ..errors import AddressSpaceExhausted, InputError


class BlockAllocator:
    """Hands out aligned sub-prefixes of ``block`` that overlap none already reserved."""

    def __init__(self, block: IPNetwork) -> None:
        self.block = block
        self._width = 32 if block.version == 4 else 128
        self._block_first = block.first
        self._block_last = block.last
        self._firsts: list[int] = []
        self._lasts: list[int] = []
        # Lowest address worth trying per prefix length: nothing below it is free at that size.
        # Valid because an allocator only ever gains children (freeing builds a new plan).
        self._hint: dict[int, int] = {}

    def reserve(self, network: IPNetwork) -> None:
        """Record an existing child (from the ledger); it must lie inside the block and overlap nothing."""
        if network.first < self._block_first or network.last > self._block_last:
            raise InputError(f"{network} lies outside its parent {self.block}",
                             fix="the ledger was edited by hand: restore it from version control")
        index = bisect_left(self._firsts, network.first)
        self._hint.clear()  # a reserved child may sit below a hint only if the hint predates it
        if self._overlaps(index, network.first, network.last):
            raise InputError(f"{network} overlaps another allocation in {self.block}",
                             fix="the ledger was edited by hand: restore it from version control")
        self._firsts.insert(index, network.first)
        self._lasts.insert(index, network.last)

    def allocate(self, prefixlen: int) -> IPNetwork:
        """The lowest free aligned /prefixlen inside the block."""
        if prefixlen < self.block.prefixlen:
            raise AddressSpaceExhausted(f"a /{prefixlen} does not fit in {self.block}",
                                        fix="give the parent a larger block or the child level a longer prefix")
        size = 1 << (self._width - prefixlen)
        candidate = self._hint.get(prefixlen, self._block_first)
        firsts, lasts = self._firsts, self._lasts
        while candidate + size - 1 <= self._block_last:
            # The first child whose last address reaches the candidate is the only one that can block it.
            index = bisect_left(lasts, candidate)
            if index == len(firsts) or firsts[index] > candidate + size - 1:
                firsts.insert(index, candidate)
                lasts.insert(index, candidate + size - 1)
                self._hint[prefixlen] = candidate + size
                return IPNetwork((candidate, prefixlen), version=self.block.version)
            candidate = -(-(lasts[index] + 1) // size) * size  # align up past the blocker
        raise AddressSpaceExhausted(
            f"{self.block} has no free /{prefixlen} left",
            fix="free released prefixes (govcloud ipam free), raise headroom for a re-plan of new space, "
                "or give the province a larger block")

    def _overlaps(self, index: int, first: int, last: int) -> bool:
        before = index > 0 and self._lasts[index - 1] >= first
        after = index < len(self._firsts) and self._firsts[index] <= last
        return before or after


