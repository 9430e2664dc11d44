from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=0.2, hidden=False)
def test_q3_form(saliency_map, net, x_demo):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(saliency_map)
    sal = saliency_map(net, x_demo, 0)
    assert isinstance(sal, torch.Tensor) and tuple(sal.shape) == (12, 12), 'one value per pixel'

