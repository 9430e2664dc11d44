from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_linear(freeze):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(freeze)
    layer = torch.nn.Linear(3, 2)
    out = freeze(layer)
    assert out is layer, 'return the module you were given'
    assert not any((p.requires_grad for p in layer.parameters())), 'every parameter is frozen'

