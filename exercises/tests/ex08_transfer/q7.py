from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 1

@test_case(points=0.1, hidden=False)
def test_q7_keys(q7_strategy):
    keys = {'similar, little data', 'similar, much data', 'different, much data', 'different, little data'}
    assert isinstance(q7_strategy, dict) and set(q7_strategy) == keys, 'use the four case names'
    assert set(q7_strategy.values()) <= {'A', 'B', 'C', 'D'}, 'answer with the letters A-D'

