from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=0.2, hidden=False)
def test_q6_shape(ten_crop):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(ten_crop, ('torchvision',))
    x = torch.arange(25.0).reshape(1, 5, 5)
    crops = ten_crop(x, 3)
    assert isinstance(crops, torch.Tensor) and crops.shape == (10, 1, 3, 3), 'expected (10, 1, 3, 3)'
    assert torch.equal(crops[0], x[:, :3, :3]), 'crop 0 is the top-left corner'

