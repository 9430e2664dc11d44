from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_form(he_normal_, xavier_std):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(he_normal_, forbidden=('torch.nn.init',), hint='Draw from N(0, 2 / fan_in) with torch.randn or weight.normal_.')
    assert_own_work(xavier_std, forbidden=('torch.nn.init',))
    w = torch.zeros(8, 4, 3, 3)
    out = he_normal_(w)
    assert isinstance(out, torch.Tensor) and out.shape == (8, 4, 3, 3), 'return the weight'
    assert isinstance(xavier_std(10, 20), float), 'xavier_std returns a float'

