from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=0.2, hidden=False)
def test_q5_form(cam_from_weights):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(cam_from_weights)
    cam = cam_from_weights(torch.rand(8, 5, 6), torch.randn(3, 8), 1)
    assert isinstance(cam, torch.Tensor) and tuple(cam.shape) == (5, 6), 'an h x w map'

