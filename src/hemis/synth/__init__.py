"""Synthetic nation: a deterministic, national-scale dataset for demos, tests and benchmarks.

`load_nation(settings, scale, seed)` generates it (numpy streams per entity and chunk, so one
scale and seed always give the same rows) and loads it through the bulk path (hemis.bulk).
"""

from hemis.synth.load import REGISTRY_TABLES, Summary, SynthError, load_nation
from hemis.synth.nation import Counts

__all__ = ["REGISTRY_TABLES", "Counts", "Summary", "SynthError", "load_nation"]
