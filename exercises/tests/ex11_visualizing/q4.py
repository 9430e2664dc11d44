from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0.3, hidden=False)
def test_q4_form(grad_cam_map, net, x_demo):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(grad_cam_map)
    cam = grad_cam_map(net, x_demo, net[3], 0)
    assert isinstance(cam, torch.Tensor) and tuple(cam.shape) == (12, 12), "the layer's resolution: 12x12 here"

