"""The image pool of CycleGAN's discriminators: filling, per-image swaps, size 0, checkpoint round trip."""

import pytest
import torch

from gan_lab.errors import IncompatibleConfigError
from gan_lab.regularizers.image_pool import ImagePool


def images(values, size=2):
    """One constant image per value: [N, 1, size, size], easy to recognise."""
    return torch.tensor(values, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, 1, size, size).clone()


def ids(batch):
    return batch[:, 0, 0, 0].tolist()


def test_while_filling_new_images_are_stored_and_returned():
    pool = ImagePool(4)
    assert ids(pool.query(images([1, 2, 3]))) == [1, 2, 3]
    assert len(pool) == 3 and ids(pool.images) == [1, 2, 3]
    torch.manual_seed(0)
    out = pool.query(images([4, 5]))
    # 4 fills the pool and comes back as it is; 5 arrives at a full pool: swapped or not
    assert ids(out)[0] == 4 and len(pool) == 4


def test_once_full_each_image_is_swapped_on_its_own_coin():
    pool = ImagePool(3)
    pool.query(images([1, 2, 3]))
    torch.manual_seed(7)
    coins = (torch.rand(4) < 0.5).tolist()
    slots = torch.randint(3, (4,)).tolist()
    assert any(coins) and not all(coins)  # this seed mixes swapped and kept images in one batch
    expected_out, stored = [], [1.0, 2.0, 3.0]
    for new, swap, slot in zip([10.0, 11.0, 12.0, 13.0], coins, slots):
        if swap:
            expected_out.append(stored[slot])
            stored[slot] = new
        else:
            expected_out.append(new)
    torch.manual_seed(7)
    out = pool.query(images([10, 11, 12, 13]))
    assert ids(out) == expected_out and ids(pool.images) == stored


def test_swap_rate_is_one_half_per_image():
    torch.manual_seed(0)
    pool = ImagePool(50)
    pool.query(images(list(range(50)), size=1))
    fresh = list(range(1000, 1000 + 4000))
    returned = ids(pool.query(images(fresh, size=1)))
    old = sum(1 for value, new in zip(returned, fresh) if value != new)
    assert 0.45 < old / len(fresh) < 0.55


def test_size_zero_is_no_pool():
    pool = ImagePool(0)
    batch = images([1, 2])
    state = torch.get_rng_state()
    assert pool.query(batch) is batch and len(pool) == 0
    assert torch.equal(state, torch.get_rng_state())  # no draws either


def test_returned_images_are_detached_copies():
    pool = ImagePool(2)
    fake = images([1, 2]).requires_grad_(True)
    out = pool.query(fake * 1.0)
    assert not out.requires_grad
    out.add_(5)
    assert ids(pool.images) == [1, 2]


def test_state_round_trip_continues_identically():
    torch.manual_seed(3)
    pool = ImagePool(5)
    pool.query(images([1, 2, 3, 4]))
    copy = ImagePool(5)
    copy.load_state_dict(pool.state_dict())
    assert torch.equal(copy.images, pool.images)
    torch.manual_seed(11)
    a = pool.query(images([20, 21, 22, 23, 24, 25]))
    torch.manual_seed(11)
    b = copy.query(images([20, 21, 22, 23, 24, 25]))
    assert torch.equal(a, b) and torch.equal(copy.images, pool.images)
    empty = ImagePool(5)
    empty.load_state_dict(ImagePool(5).state_dict())
    assert len(empty) == 0


def test_state_survives_torch_save_with_weights_only(tmp_path):
    pool = ImagePool(3)
    pool.query(images([1, 2]))
    torch.save(pool.state_dict(), tmp_path / "pool.pt")
    restored = ImagePool(3)
    restored.load_state_dict(torch.load(tmp_path / "pool.pt", weights_only=True))
    assert ids(restored.images) == [1, 2]


def test_bad_sizes_are_refused():
    with pytest.raises(IncompatibleConfigError, match=">= 0"):
        ImagePool(-1)
    pool = ImagePool(2)
    pool.query(images([1]))
    with pytest.raises(IncompatibleConfigError, match="same image size"):
        pool.query(images([1], size=3))
    big = ImagePool(5)
    big.query(images([1, 2, 3]))
    with pytest.raises(IncompatibleConfigError, match="pool size"):
        ImagePool(2).load_state_dict(big.state_dict())
