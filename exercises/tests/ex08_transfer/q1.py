from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_q1_linear(freeze):
    import torch
    layer = torch.nn.Linear(3, 2)
    out = freeze(layer)
    assert out is layer, 'return the module you were given'
    assert not any((p.requires_grad for p in layer.parameters())), 'every parameter is frozen'

