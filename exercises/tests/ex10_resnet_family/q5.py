from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 1

@test_case(points=0.1, hidden=False)
def test_q5_form(q5_saved):
    assert isinstance(q5_saved, float) and 0 < q5_saved < 1, 'a fraction between 0 and 1'

