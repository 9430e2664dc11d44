from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 1

@test_case(points=0.1, hidden=False)
def test_q6_form(q6_patch):
    assert isinstance(q6_patch, int) and q6_patch > 0, 'q6_patch is a positive int'

