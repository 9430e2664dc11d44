from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 1

@test_case(points=0.1, hidden=False)
def test_q3_keys(q3_params):
    assert isinstance(q3_params, dict), 'q3_params should be a dict'
    assert set(q3_params) == {'C1', 'C3', 'C5', 'F6', 'output'}, 'use the five layer names'
    assert all((isinstance(v, int) for v in q3_params.values())), 'the counts should be ints'

