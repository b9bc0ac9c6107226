"""Annotations: where known values sit on their documents (locating values without boxes), and the spans
values can be printed in.
"""

from core.annotation.locate import Location, Locator, locate, locate_values
from core.annotation.spans import CandidatePools, Span, build_pools, pool_of

__all__ = ["CandidatePools", "Location", "Locator", "Span", "build_pools", "locate", "locate_values", "pool_of"]
