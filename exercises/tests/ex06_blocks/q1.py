from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=0.1, hidden=False)
def test_q1_types(q1_weights, q1_mults):
    assert isinstance(q1_weights, int) and isinstance(q1_mults, int), 'answer with ints'

