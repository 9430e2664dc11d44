from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=0.1, hidden=False)
def test_q1_form(q1_dense, q1_path, q1_grouped):
    assert all((isinstance(v, int) for v in (q1_dense, q1_path, q1_grouped))), 'answer with ints'

