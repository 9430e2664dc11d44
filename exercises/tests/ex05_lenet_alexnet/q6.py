from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_types(q6_table_total, q6_bytes, q6_consistent):
    assert isinstance(q6_table_total, int), 'q6_table_total should be an int'
    assert isinstance(q6_bytes, int), 'q6_bytes should be an int'
    assert q6_consistent in ('total', 'memory'), 'q6_consistent: "total" or "memory"'

