"""The vocoder family (gan_lab.tasks.vocoder.Vocoder): start-up checks, terms by hand, loss
directions, and short end-to-end runs on generated tones and on the shared speech clips."""

import csv
import math

import pytest
import soundfile
import torch
import torch.nn.functional as F
from helpers import SHARED_DATA, TINY, compose_config

from gan_lab.builders import build_module, check_compatibility
from gan_lab.errors import IncompatibleConfigError
from gan_lab.train import train

SPEECH = SHARED_DATA / "speech-espeak"
# The tiny HiFi-GAN with even narrower discriminators and short segments: seconds per run on 2 cores.
NETWORKS = [
    "task=vocoder",
    "model=vocoder/hifigan_tiny",
    "loss=lsgan",
    "task.preview_seconds=0.25",
    "model.discriminator.mpd.base_channels=2",
    "model.discriminator.msd.base_channels=4",
    "model.discriminator.msd.max_channels=16",
]
TONES = ["dataset=tones", "dataset.segment_length=2048", "dataset.num_clips=8", "dataset.preview_samples=2"]
VOCODER = NETWORKS + TONES


def module_for(tmp_path, *overrides, base=VOCODER):
    cfg = compose_config([*base, *overrides], tmp_path)
    check_compatibility(cfg)
    return build_module(cfg)


def test_upsampling_product_must_equal_the_hop(tmp_path):
    with pytest.raises(IncompatibleConfigError, match=r"multiply to 128.*hop length is 256"):
        module_for(tmp_path, "model.generator.upsample_rates=[8,4,4]", "model.generator.upsample_kernel_sizes=[16,8,8]")


def test_segment_length_must_be_a_multiple_of_the_hop(tmp_path):
    with pytest.raises(IncompatibleConfigError, match=r"segment_length=2000.*use 1792 or 2048"):
        module_for(tmp_path, "dataset.segment_length=2000")


def test_gradient_penalty_losses_are_refused(tmp_path):
    with pytest.raises(IncompatibleConfigError, match="loss=lsgan"):
        module_for(tmp_path, "loss=wgan_gp")


def test_image_dataset_is_refused_with_the_audio_ones_listed(tmp_path):
    cfg = compose_config([*NETWORKS, "dataset=bundled_mnist"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match=r"needs batch entries \['audio'\].*ljspeech"):
        check_compatibility(cfg)


def test_generator_terms_by_hand(tmp_path):
    torch.manual_seed(0)
    module = module_for(tmp_path)
    batch = {"audio": torch.stack([module_dataset_clip(i) for i in range(2)])}
    outputs = module.generator_outputs(batch)
    fake, real = outputs["fake"].detach(), batch["audio"]
    assert fake.shape == real.shape
    terms = {k: v.detach() for k, v in module.generator_terms(batch, outputs).items()}
    assert set(terms) == {"adversarial_mpd", "adversarial_msd", "feature_matching", "mel"}
    # eval: spectral norm's power iteration would otherwise advance once more in the forwards below
    module.discriminator.eval()
    mel = module.mel
    assert float(terms["mel"]) == pytest.approx(45 * float((mel.loss_mel(fake) - mel.loss_mel(real)).abs().mean()))
    with torch.no_grad():
        d_fake = module.discriminator(fake)
    for name in ("mpd", "msd"):  # lsgan's G side is ½ mean (D - 1)²; weight 2 makes HiFi-GAN's (D - 1)²
        expected = sum(float(((logits - 1) ** 2).mean()) for logits, _ in d_fake[name])
        assert float(terms[f"adversarial_{name}"]) == pytest.approx(expected, rel=1e-5)
    with torch.no_grad():
        d_real = module.discriminator(real)
    expected_fm = 0.0  # HiFi-GAN: 2 x sum over sub-Ds of every layer's mean |difference|, logits included
    for name in ("mpd", "msd"):
        for (rl, rf), (fl, ff) in zip(d_real[name], d_fake[name]):
            expected_fm += sum(float((r - f).abs().mean()) for r, f in zip([*rf, rl], [*ff, fl]))
    assert float(terms["feature_matching"]) == pytest.approx(2 * expected_fm, rel=1e-4)


def module_dataset_clip(i):
    from gan_lab.datasets.audio import SyntheticTones

    return SyntheticTones(num_clips=4, segment_length=2048)[i]["audio"]


def test_melgan_terms_have_no_mel_loss_and_hinge(tmp_path):
    module = module_for(
        tmp_path,
        "task=vocoder",
        *TONES,
        "model=vocoder/melgan",
        "loss=hinge",
        "model.generator.ngf=4",
        "model.discriminator.msd.ndf=4",
        "task.adversarial_weight=1.0",
        "task.feature_matching.weight=10.0",
        "task.feature_matching.layer_weight=0.8",
        "task.feature_matching.average_over_discriminators=true",
        "task.feature_matching.include_logits=false",
        "task.mel_weight=0.0",
        base=[],
    )
    batch = {"audio": torch.stack([module_dataset_clip(i) for i in range(2)])}
    outputs = module.generator_outputs(batch)
    module._step_logs = {}
    terms = {k: v.detach() for k, v in module.generator_terms(batch, outputs).items()}
    module.discriminator.eval()
    assert set(terms) == {"adversarial_msd", "feature_matching"} and "train/mel_l1" in module._step_logs
    with torch.no_grad():
        d_fake = module.discriminator(outputs["fake"])["msd"]
        d_real = module.discriminator(batch["audio"])["msd"]
    assert float(terms["adversarial_msd"]) == pytest.approx(sum(-float(lg.mean()) for lg, _ in d_fake), rel=1e-5)
    fm = sum(0.8 / 3 * float((r - f).abs().mean()) for (_, rf), (_, ff) in zip(d_real, d_fake) for r, f in zip(rf, ff))
    assert float(terms["feature_matching"]) == pytest.approx(10 * fm, rel=1e-4)


def test_one_d_step_lowers_d_loss_and_one_g_step_raises_d_score_of_fakes(tmp_path):
    torch.manual_seed(1)
    module = module_for(tmp_path, "task.mel_weight=0", "task.feature_matching.weight=0")
    module._step_logs = {}
    batch = {"audio": torch.stack([module_dataset_clip(i) for i in range(4)])}
    with torch.no_grad():
        fakes = module.generator_outputs(batch)

    def d_loss():
        return sum(module.discriminator_terms(batch, fakes).values())

    before = d_loss()
    module.discriminator.eval()  # the loss after the step is measured at the power iteration's current state
    d_opt = torch.optim.SGD(module.discriminator.parameters(), lr=1e-3)
    d_opt.zero_grad()
    before.backward()
    d_opt.step()
    assert float(d_loss().detach()) < float(before.detach())

    def d_score_of_fakes():
        with torch.no_grad():
            out = module.discriminator(module.generator_outputs(batch)["fake"])
        return sum(float(logits.mean()) for sets in out.values() for logits, _ in sets)

    module.discriminator.eval()  # D fixed from here on: spectral norm's power iteration paused too
    module.discriminator.requires_grad_(False)
    score = d_score_of_fakes()
    g_opt = torch.optim.SGD(module.generator.parameters(), lr=1e-2)
    g_opt.zero_grad()
    sum(module.generator_terms(batch, module.generator_outputs(batch)).values()).backward()
    g_opt.step()
    assert d_score_of_fakes() > score


def test_in_the_warm_up_g_gets_no_term_from_d(tmp_path):
    module = module_for(tmp_path, "task.pretrain_g_steps=2")
    module._step_logs = {}
    batch = {"audio": torch.stack([module_dataset_clip(i) for i in range(2)])}
    outputs = module.generator_outputs(batch)
    calls = []
    judge = module.discriminate_pair
    module.discriminate_pair = lambda *args: calls.append(1) or judge(*args)
    assert set(module.generator_terms(batch, outputs)) == {"mel"}
    assert not calls  # D is not even run: a warm-up step costs G's forward and the mel loss only
    module.generator_steps += 2
    module.load_state_dict(module.state_dict())  # re-reads the step counters
    terms = module.generator_terms(batch, outputs)
    assert set(terms) == {"adversarial_mpd", "adversarial_msd", "feature_matching", "mel"} and calls


def test_a_reconstruction_only_run_never_trains_d_and_starts_the_gan_run(tmp_path):
    warm_up = [*TINY, *VOCODER, "g_steps=3", "sample_every=0", "loss.n_critic=0", "task.pretrain_g_steps=${g_steps}"]
    trainer = train(compose_config(warm_up, tmp_path / "warm"))
    module = trainer.lightning_module
    d_opt, g_opt = (opt.optimizer for opt in module.optimizers())
    assert int(module.generator_steps) == 3 and int(module.discriminator_steps) == 0
    assert trainer.global_step == 3  # Lightning counted G's steps only: max_steps = g_steps x (0 + 1)
    assert not d_opt.state and len(g_opt.state) == len(list(module.generator.parameters()))
    assert set(module.latest_losses) == {"train/g_mel", "train/g_loss", "train/mel_l1"}
    warm_ckpt = tmp_path / "warm" / "checkpoints" / "last.ckpt"
    gan = [*TINY, *VOCODER, "g_steps=1", "sample_every=0", f"init_from.ckpt_path={warm_ckpt}"]
    started = train(compose_config(gan, tmp_path / "gan")).lightning_module
    assert int(started.generator_steps) == 1 and int(started.discriminator_steps) == 1
    assert {"train/g_adversarial_mpd", "train/g_feature_matching", "train/d_mpd"} <= set(started.latest_losses)


def test_n_critic_zero_needs_every_step_in_the_warm_up(tmp_path):
    cfg = compose_config([*TINY, *VOCODER, "g_steps=3", "loss.n_critic=0", "task.pretrain_g_steps=2"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match=r"after task.pretrain_g_steps=2 of its g_steps=3.*\$\{g_steps\}"):
        train(cfg)


def test_trains_on_tones_with_previews_wavs_and_tensorboard_audio(tmp_path):
    cfg = compose_config([*TINY, *VOCODER, "g_steps=3", "sample_every=2", "logger=tensorboard"], tmp_path / "run")
    trainer = train(cfg)
    module = trainer.lightning_module
    assert int(module.generator_steps) == 3
    for key in ("train/d_mpd", "train/d_msd", "train/g_mel", "train/g_feature_matching", "train/mel_l1"):
        assert math.isfinite(float(module.latest_losses[key]))
    samples = tmp_path / "run" / "samples"
    names = {p.name for p in samples.iterdir()}
    assert {"real_00.wav", "step_000002_01.wav", "final_00.wav", "final.png", "step_000002.png"} <= names
    audio, rate = soundfile.read(samples / "final_01.wav")
    assert rate == 22050 and len(audio) == 21 * 256  # 0.25 s = 5512.5 samples, rounded down to whole hops
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    (events_file,) = (tmp_path / "run" / "tensorboard").rglob("events.out.tfevents.*")
    events = EventAccumulator(str(events_file), size_guidance={"audio": 0}).Reload()
    assert any(tag.startswith("audio/generated") for tag in events.Tags()["audio"])
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()


@pytest.mark.slow  # ~40 s on 2 busy cores
def test_a_few_steps_lower_the_mel_error_on_tones(tmp_path):
    torch.manual_seed(0)
    cfg = compose_config(
        [
            *TINY,
            *VOCODER,
            "g_steps=12",
            "sample_every=0",
            "callbacks=none",
            "data.batch_size=4",
            "optimizer.generator.lr=2e-3",
        ],
        tmp_path / "run",
    )
    module = build_module(cfg)
    clips = torch.stack([module_dataset_clip(i) for i in range(4)])
    before = float(F.l1_loss(module.mel.loss_mel(module.resynthesize(clips)), module.mel.loss_mel(clips)))
    trainer = train(cfg)
    trained = trainer.lightning_module
    after = float(F.l1_loss(trained.mel.loss_mel(trained.resynthesize(clips)), trained.mel.loss_mel(clips)))
    assert after < 0.8 * before


@pytest.mark.skipif(not (SPEECH / "metadata.csv").is_file(), reason="needs ../shared/data/speech-espeak")
def test_trains_on_the_shared_speech_clips(tmp_path):
    overrides = [
        *TINY,
        *NETWORKS,
        "dataset=ljspeech",
        f"dataset.root={SPEECH}",
        "dataset.segment_length=2048",
        "callbacks=none",
        "data.batch_size=2",
    ]
    trainer = train(compose_config(overrides, tmp_path / "run"))
    module = trainer.lightning_module
    assert int(module.generator_steps) == 2 and math.isfinite(float(module.latest_losses["train/g_loss"]))
    assert len(trainer.datamodule.train_dataset) == 288


def test_a_resumed_run_gives_the_same_losses_as_a_straight_one(tmp_path):
    """Random segments come from per-item seeds and the learning-rate decay and both optimizers'
    states are in the checkpoint, so 2 + 2 steps log the same losses as 4 steps, bit for bit (3 steps
    an epoch: the stop falls mid-epoch and the resumed part crosses an epoch end and its decay)."""
    common = [
        *TINY,
        *VOCODER,
        "sample_every=0",
        "trainer.deterministic=true",
        "dataset.num_clips=6",
        "data.batch_size=2",
        "lr_decay=exponential",  # HiFi-GAN's per-epoch decay, strong enough to show in the losses
        "lr_decay_gamma=0.5",
    ]
    keys = ("train/d_loss", "train/g_loss", "train/g_mel", "train/g_feature_matching")

    def losses(run_dir):
        rows = []
        for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
            rows += [tuple(r[k] for k in keys) for r in csv.DictReader(path.open()) if r.get("train/g_loss")]
        return rows

    straight, split = tmp_path / "straight", tmp_path / "split"
    train(compose_config([*common, "g_steps=4"], straight))
    train(compose_config([*common, "g_steps=2"], split))
    resumed = compose_config([*common, "g_steps=4", f"ckpt_path={split / 'checkpoints' / 'last.ckpt'}"], split)
    trainer = train(resumed)
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(resumed.optimizer.discriminator.lr * 0.5)
    expected = losses(straight)
    assert len(expected) == 4 and losses(split) == expected
