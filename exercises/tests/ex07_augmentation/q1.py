from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=0.2, hidden=False)
def test_q1_shape(random_crop):
    import torch
    from utils.grading import assert_own_work
    assert_own_work(random_crop, ('torchvision',))
    x = torch.rand(5, 3, 32, 32)
    out = random_crop(x, 32, pad=4, generator=torch.Generator().manual_seed(0))
    assert isinstance(out, torch.Tensor) and out.shape == (5, 3, 32, 32), 'expected (5, 3, 32, 32)'
    assert torch.equal(random_crop(x, 32), x), 'without padding a full-size crop is the image'

