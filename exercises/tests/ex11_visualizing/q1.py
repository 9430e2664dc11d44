from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=0.1, hidden=False)
def test_q1_form(q1_positions, q1_passes):
    assert isinstance(q1_positions, int) and isinstance(q1_passes, int), 'answer with ints'

