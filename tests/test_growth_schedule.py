"""The progressive-growing schedule: phase, resolution and alpha from the images shown."""

import pytest

from gan_lab.tasks.growth_schedule import GrowthPhase, growth_phase, schedule_g_steps, schedule_images


def phase(shown, start=4, final=32, fade=10, stabilise=20):
    return growth_phase(shown, start, final, fade, stabilise)


@pytest.mark.parametrize(
    "shown,expected",
    [
        (0, GrowthPhase(0, 4, 1.0, False)),
        (19, GrowthPhase(0, 4, 1.0, False)),
        (20, GrowthPhase(1, 8, 0.0, True)),  # 20 = the start resolution's stabilise_images
        (25, GrowthPhase(1, 8, 0.5, True)),
        (29, GrowthPhase(1, 8, 0.9, True)),
        (30, GrowthPhase(2, 8, 1.0, False)),
        (49, GrowthPhase(2, 8, 1.0, False)),
        (50, GrowthPhase(3, 16, 0.0, True)),
        (57, GrowthPhase(3, 16, 0.7, True)),
        (60, GrowthPhase(4, 16, 1.0, False)),
        (80, GrowthPhase(5, 32, 0.0, True)),
        (90, GrowthPhase(6, 32, 1.0, False)),
        (110, GrowthPhase(6, 32, 1.0, False)),
        (10**9, GrowthPhase(6, 32, 1.0, False)),  # the final resolution stays until the run ends
    ],
)
def test_phases_by_hand(shown, expected):
    assert phase(shown) == expected


def test_alpha_rises_by_one_over_fade_images_and_never_jumps_back():
    previous = phase(0)
    for shown in range(1, 120):
        now = phase(shown)
        assert now.index in (previous.index, previous.index + 1)
        if now.fading and now.index == previous.index:
            assert now.alpha == pytest.approx(previous.alpha + 0.1)
        previous = now


def test_names_say_resolution_and_kind():
    assert phase(25).name == "8x8 fade-in" and phase(35).name == "8x8 stabilise"


def test_later_start_and_no_growth():
    assert growth_phase(0, 8, 32, 10, 20) == GrowthPhase(0, 8, 1.0, False)
    assert growth_phase(20, 8, 32, 10, 20) == GrowthPhase(1, 16, 0.0, True)
    assert growth_phase(10**6, 32, 32, 10, 20) == GrowthPhase(0, 32, 1.0, False)


def test_zero_fade_switches_at_once():
    assert growth_phase(20, 4, 16, 0, 20) == GrowthPhase(2, 8, 1.0, False)
    assert growth_phase(39, 4, 16, 0, 20) == GrowthPhase(2, 8, 1.0, False)
    assert growth_phase(40, 4, 16, 0, 20) == GrowthPhase(4, 16, 1.0, False)
    assert growth_phase(0, 4, 16, 0, 0) == GrowthPhase(4, 16, 1.0, False)


def test_schedule_length_in_images_and_g_steps():
    assert schedule_images(4, 32, 10, 20) == 20 + 3 * (10 + 20)
    assert phase(schedule_images(4, 32, 10, 20) - 21).fading  # the final fade-in ends 20 images before
    assert schedule_g_steps(4, 32, 10, 20, batch_size=8, n_critic=2) == 7  # ceil(110 / 16)
    assert schedule_g_steps(4, 128, 600_000, 600_000, batch_size=16) == 412_500  # 6.6M images


@pytest.mark.parametrize(
    "args", [(0, 6, 32, 10, 20), (0, 4, 24, 10, 20), (0, 64, 32, 10, 20), (0, 4, 32, -1, 20), (0, 2, 32, 1, 1)]
)
def test_bad_settings_are_refused(args):
    with pytest.raises(ValueError):
        growth_phase(*args)
