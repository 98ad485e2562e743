"""Synthetic Main Match markets calibrated to the national figures of the rule book (§8).

``generate_market(scale, seed)`` builds a ``Market`` at one of the ``SCALES``;
``SPECIALTIES`` and ``FIELDS`` are the specialty catalogue it draws from.
"""

from matchweek.synth.catalogue import FIELDS, KINDS, SPECIALTIES, Field, Specialty
from matchweek.synth.generate import MATCH_YEAR, generate_market
from matchweek.synth.scales import SCALES, Scale

__all__ = [
    "FIELDS",
    "KINDS",
    "MATCH_YEAR",
    "SCALES",
    "SPECIALTIES",
    "Field",
    "Scale",
    "Specialty",
    "generate_market",
]
