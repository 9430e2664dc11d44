from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=0.1, hidden=False)
def test_q2_keys(q2_shapes):
    assert isinstance(q2_shapes, dict), 'q2_shapes should be a dict'
    assert set(q2_shapes) == {'C1', 'S2', 'C3', 'S4', 'C5', 'F6'}, 'use the six layer names'
    assert all((isinstance(v, tuple) for v in q2_shapes.values())), 'the shapes should be tuples'

