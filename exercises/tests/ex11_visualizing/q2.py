from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=0.3, hidden=False)
def test_q2_form(occlusion_map, net, x_demo):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(occlusion_map)
    heat = occlusion_map(net, x_demo, 0, patch=4, stride=2)
    assert isinstance(heat, torch.Tensor) and tuple(heat.shape) == (5, 5), '12x12 image, 4-pixel square, stride 2: a 5x5 map'

