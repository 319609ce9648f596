"""Evaluation samples generated per rank and gathered: exactly n, same as one process."""

import torch
from torch import nn

from gan_lab.metrics.sampling import generate_samples
from gan_lab.metrics.sharded_sampling import gather_shards, generate_shard, shard_bounds


class TinyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.latent_dim = 3
        self.generator = nn.Sequential(nn.Linear(3, 2), nn.Tanh())


def test_shard_bounds_cover_every_index_once():
    for n, world in [(10, 3), (2500, 2), (7, 8), (26000, 4)]:
        bounds = shard_bounds(n, world)
        covered = [i for start, end in bounds for i in range(start, end)]
        assert covered == list(range(n))
        sizes = [end - start for start, end in bounds]
        assert max(sizes) - min(sizes) <= 1


def test_gathered_shards_equal_single_process_samples():
    torch.manual_seed(0)
    module = TinyModule()
    n, world = 11, 3  # shards of 4, 4, 3: the last one is padded for all_gather
    single, kind = generate_samples(module, n, batch_size=4, seed=7)
    shards = [generate_shard(module, n, rank, world, batch_size=4, seed=7)[0] for rank in range(world)]
    assert [len(s) for s in shards] == [4, 4, 3]

    def fake_all_gather(padded):  # what every rank's all_gather returns: all ranks' padded tensors, stacked
        longest = len(padded)
        return torch.stack([torch.cat([s, s.new_zeros(longest - len(s), *s.shape[1:])]) for s in shards])

    for rank in range(world):
        gathered = gather_shards(shards[rank], n, world, fake_all_gather)
        assert gathered.shape == (n, 2)  # exact count, padding removed
        assert torch.equal(gathered, single)
    assert kind == "raw"
