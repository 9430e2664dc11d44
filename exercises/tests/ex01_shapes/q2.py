from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=0.1, hidden=False)
def test_q2_type(q2_strides):
    assert isinstance(q2_strides, list), 'q2_strides should be a list of ints'
    assert all((isinstance(s, int) for s in q2_strides)), 'q2_strides should hold ints'
    assert q2_strides == sorted(q2_strides), 'sort the list'

