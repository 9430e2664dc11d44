from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_types(q3_shape, q3_params):
    assert isinstance(q3_shape, tuple) and len(q3_shape) == 3, 'q3_shape: (height, width, channels)'
    assert all((isinstance(d, int) for d in q3_shape)), 'the sizes should be ints'
    assert isinstance(q3_params, int), 'q3_params should be an int'

