"""The short mutation campaign, part of every test run: a few hundred hostile inputs made
from generated registers (and the real XML cuts when the shared samples are there), each
run through the command line in a child process with a time and a memory limit.

No input may crash the program, hang, run out of memory, or break the CLI's promise.
The long campaign (10,000 inputs) runs on demand: python -m tests.fuzz.campaign.
"""

from __future__ import annotations

import pytest

from .campaign import all_seeds, campaign, summary

pytestmark = pytest.mark.slow

#: the inputs run here, and the campaign they are taken from
INPUTS = 200
SEED = 14


def test_short_campaign(tmp_path_factory: pytest.TempPathFactory) -> None:
    seeds = all_seeds(tmp_path_factory.mktemp("seeds"))
    results = campaign(seeds, inputs=INPUTS, seed=SEED, jobs=2, cache_every=25)
    assert len(results) == INPUTS
    failed = [r for r in results if r.failed]
    assert not failed, "\n" + summary(results, 0.0)
