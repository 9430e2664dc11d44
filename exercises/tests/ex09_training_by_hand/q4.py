from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 1

@test_case(points=0.1, hidden=False)
def test_q4_form(q4_steps):
    assert isinstance(q4_steps, int) and q4_steps > 0, 'q4_steps is a positive int'

