"""The spec's vocabulary: every field's type, default, bounds and label, and the named choices.

One `Field` per scalar leaf of the spec (data, model, training, view sections and a layer's
fields); the parser checks values against it and `/api/schema` shows it to the page, so bounds
and defaults are written only here. Layer kinds are in `engine.spec.plan.KINDS`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.data.heldout import RANDOM, SPANS, STRATIFIED
from engine.data.registry import DATASETS


SPEC_VERSION = 1
MAX_LAYERS = 16             # any family
MAX_POINT_LAYERS = 8        # 2-D playground: what its network diagram shows well
MAX_UNITS = 1024
MAX_POINT_UNITS = 16
MAX_POINT_SAMPLES = 5000
MAX_SEED = 2**31 - 1

# What one session may cost (engine.spec.budget), so no spec can take more than its share of a
# server's memory or stall its trainer. One training step: forward values, their gradients and
# saved inputs (~3 floats per activation) in memory; its forward multiply-adds about what one
# CPU core does in a frame (30 frames/s: ~1.5 G with the backward pass at ~45 G/s here).
STEP_BYTES_PER_ACTIVATION = 12
MAX_STEP_BYTES = 256 * 2**20
MAX_STEP_FLOPS = 0.5e9
# One forward pass over every example (a whole-set evaluation; an epoch is ~3× its training
# part): 30 G is MNIST's 70,000 digits through the default LeNet with room to spare.
MAX_EVAL_FLOPS = 30e9
# Everything a session holds, as estimated from its spec; measured resident memory stays under
# 1 GB for every spec this allows (bench/session_memory.py, README "Limits").
MAX_SESSION_BYTES = 640 * 2**20

ACTIVATIONS = {
    "tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": "Linear",
    "leaky_relu": "Leaky ReLU", "elu": "ELU", "gelu": "GELU", "softsign": "Softsign",
    "softplus": "Softplus", "step": "Step (no gradient)",
}
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam",
              "adamw": "AdamW (decoupled weight decay)", "rmsprop": "RMSprop",
              "adagrad": "Adagrad"}
SCHEDULES = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine",
             "one_cycle": "One-cycle"}
LOSSES = {"mse": "Squared error ½(ŷ−y)²", "cross_entropy": "Cross-entropy"}
REGULARIZATIONS = {"none": "None", "L1": "L1", "L2": "L2"}
INITS = {"tf": "TF Playground (U(±0.5), bias 0.1)", "zero": "Zeros", "xavier": "Xavier",
         "he": "He"}
TASKS = {"predict": "Predict the label", "autoencoder": "Autoencoder (reconstruct the input)"}
AUGMENTS = {"none": "None", "shift": "Random shifts (up to ⅛ of the width)"}

# Training defaults: TF Playground's for 2-D points; for image, table and sequence models,
# Adam with a smaller step and larger batches (plain SGD at 0.03 leaves them crawling).
POINT_TRAINING = {"optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10}
DEEP_TRAINING = {"optimizer": "adam", "learning_rate": 0.003, "batch_size": 32}

# TensorFlow Playground's menus, offered as the choices of our (continuous) ranges.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
# Epochs per second a playing session may take (0: no limit). TF Playground trains one epoch per
# animation frame, about 60 a second; slower speeds let a class watch a fit happen.
SPEEDS = (1, 5, 10, 20, 60, 0)
TF_SPEED = 60
MAX_SPEED = 1000


@dataclass(frozen=True)
class Field:
    """One scalar leaf of the spec: type, default, bounds and how the page shows it."""
    kind: str                      # "int" | "number" | "enum" | "bool"
    default: Any
    label: str
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    labels: dict | None = None
    step: float | None = None
    live: bool = False             # changes apply without rebuilding the session
    help: str = ""
    families: tuple = ()           # dataset families it applies to; () = all
    splits: tuple = ()             # held-out policies it applies to (engine.data.heldout); () = all


DATA_FIELDS = {
    "dataset": Field("enum", "circle", "Dataset", choices=tuple(DATASETS),
                     labels={k: d.label for k, d in DATASETS.items()}),
    "classes": Field("int", 2, "Classes", 2, 10, families=("points",),
                     help="classification only; fixed for image and table datasets"),
    "samples": Field("int", None, "Samples", 20, 70000, step=10,
                     help="default per dataset (500 classification, 1200 regression points)"),
    "noise": Field("int", 0, "Noise", 0, 50, step=5, families=("points", "images", "sequences"),
                   help="generated data only (2-D points, shapes, series and bits)"),
    "train_ratio": Field("int", 50, "Ratio of training to test data", 10, 90, step=10,
                         splits=(RANDOM, SPANS, STRATIFIED),
                         help="MNIST and Fashion-MNIST keep their files' own split"),
    "validation_ratio": Field("int", 0, "Validation split (% of training data)", 0, 50, step=5),
    "seed": Field("int", 1, "Data seed", 0, MAX_SEED),
    "augment": Field("enum", "none", "Augmentation", choices=tuple(AUGMENTS), labels=AUGMENTS,
                     families=("images",)),
    "flip": Field("bool", False, "Random horizontal flips", families=("images",),
                  help="training batches only; for shapes and clothes, not for digits"),
    "rotate": Field("int", 0, "Random rotation (± degrees)", 0, 45, step=5, families=("images",),
                    help="training batches only"),
    "scale": Field("int", 0, "Random zoom (± percent)", 0, 30, step=5, families=("images",),
                   help="training batches only"),
    "input_noise": Field("number", 0, "Input noise (σ, training only)", 0, 1, step=0.05,
                         families=("images", "tabular"),
                         help="Gaussian noise added to training inputs (standardised units)"),
    "normalize": Field("bool", True, "Standardise inputs", families=("images", "tabular"),
                       help="zero mean, unit variance with the training set's statistics"),
    "seq_length": Field("int", 20, "Sequence length", 2, 200, families=("sequences",)),
}
MODEL_FIELDS = {
    "init": Field("enum", None, "Initialisation", choices=tuple(INITS), labels=INITS,
                  help="default tf for 2-D points, he for images and tables"),
    "task": Field("enum", "predict", "Task", choices=tuple(TASKS), labels=TASKS,
                  families=("images", "tabular")),
    "bottleneck": Field("int", 2, "Bottleneck units", 1, 64, families=("images", "tabular"),
                        help="autoencoder only"),
    "activation": Field("enum", None, "Activation", choices=tuple(ACTIVATIONS),
                        labels=ACTIVATIONS, families=("points",),
                        help="what new hidden layers take (TF Playground's Activation menu); "
                             "default the first hidden layer's, else tanh"),
}
TRAINING_FIELDS = {
    "loss": Field("enum", None, "Loss", choices=tuple(LOSSES), labels=LOSSES,
                  help="default mse for 2-D points (TF Playground's), cross_entropy for several "
                       "classes, images and tables"),
    "optimizer": Field("enum", None, "Optimiser", choices=tuple(OPTIMIZERS), labels=OPTIMIZERS,
                       help="default sgd for 2-D points (TF Playground's), adam otherwise"),
    "learning_rate": Field("number", None, "Learning rate", 1e-5, 10, choices=LEARNING_RATES,
                           live=True, help="default 0.03 for 2-D points, 0.003 otherwise"),
    "momentum": Field("number", 0.9, "Momentum", 0, 0.999, step=0.01, live=True,
                      help="used by the momentum optimiser"),
    "batch_size": Field("int", None, "Batch size", 1, 1000, live=True,
                        help="default 10 for 2-D points, 32 otherwise"),
    "regularization": Field("enum", "none", "Regularisation", choices=tuple(REGULARIZATIONS),
                            labels=REGULARIZATIONS, live=True),
    "regularization_rate": Field("number", 0, "Regularisation rate", 0, 10,
                                 choices=REGULARIZATION_RATES, live=True),
    "schedule": Field("enum", "constant", "Learning-rate schedule", choices=tuple(SCHEDULES),
                      labels=SCHEDULES, live=True,
                      help="multiplies the learning rate; counts optimiser steps since the reset"),
    "schedule_epochs": Field("int", 100, "Schedule length (epochs)", 1, 10000, live=True,
                             help="cosine and one-cycle span it; step decays every this many"),
    "gamma": Field("number", 0.1, "Step decay factor", 0.01, 1, step=0.01, live=True,
                   help="step schedule: the rate is multiplied by this at every step"),
    "warmup": Field("int", 0, "Warm-up (epochs, 0 = off)", 0, 1000, live=True,
                    help="the rate rises linearly from 0 over these epochs"),
    "weight_decay": Field("number", 0.01, "Weight decay (AdamW)", 0, 1, step=0.001, live=True,
                          choices=(0, 0.0001, 0.001, 0.01, 0.05, 0.1),
                          help="used by adamw: decoupled from the gradient"),
    "label_smoothing": Field("number", 0, "Label smoothing", 0, 0.5, step=0.05,
                             choices=(0, 0.05, 0.1, 0.2),
                             help="cross-entropy only: targets (1 − ε) on the class, ε spread"),
    "early_stopping": Field("int", 0, "Early stopping patience (epochs, 0 = off)", 0, 1000),
    "clip": Field("number", 0, "Gradient clipping (max norm, 0 = off)", 0, 100, live=True,
                  choices=(0, 0.1, 0.5, 1, 5, 10)),
    "seed": Field("int", 1, "Initialisation seed", 0, MAX_SEED),
    "same_start": Field("bool", False, "Same start on reset", live=True,
                        help="Reset reuses this initialisation seed; off, it draws a new one"),
    "speed": Field("int", TF_SPEED, "Speed (epochs per second)", 0, MAX_SPEED, live=True,
                   choices=SPEEDS, labels={0: "Max"},
                   help=f"at most this many epochs a second; 0: as fast as the server can. "
                        f"{TF_SPEED} is TF Playground's pace"),
}
VIEW_FIELDS = {
    "show_test_data": Field("bool", False, "Show test data", live=True),
    "discretize": Field("bool", False, "Discretize output", live=True),
    "hide_text": Field("bool", False, "Hide text", live=True),
    "presenter": Field("bool", False, "Presenter mode", live=True,
                       help="large type, thick lines, colour-blind-safe colours (for a projector)"),
}
LAYER_FIELDS = {
    "units": Field("int", 4, "Neurons", 1, MAX_UNITS),
    "activation": Field("enum", "tanh", "Activation", choices=tuple(ACTIVATIONS),
                        labels=ACTIVATIONS),
    "filters": Field("int", 8, "Filters", 1, 128),
    "kernel": Field("int", 3, "Kernel size", 1, 11),
    "stride": Field("int", 1, "Stride", 1, 4),
    "padding": Field("int", 0, "Padding", 0, 5),
    "rate": Field("number", 0.25, "Dropout rate", 0, 0.9, step=0.05),
    "dim": Field("int", 16, "Embedding size", 1, 256),
    "num_layers": Field("int", 1, "Stacked layers", 1, 4),
}
# How a refusal names each dataset family's data ("conv2d needs image data").
FAMILY_DATA = {"points": "2-D point", "images": "image", "tabular": "table",
               "sequences": "sequence"}
SECTIONS = {"data": DATA_FIELDS, "model": MODEL_FIELDS, "training": TRAINING_FIELDS,
            "view": VIEW_FIELDS}
LIST_KEYS = {"data": ("features", "points", "text", "upload"), "model": ("layers",), "view": ("hidden",)}
DEFAULT_FEATURES = ("x1", "x2")
_LENET = ({"kind": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
          {"kind": "maxpool"},
          {"kind": "conv2d", "filters": 16, "kernel": 3, "padding": 1},
          {"kind": "maxpool"},
          {"kind": "dense", "units": 64, "activation": "relu"})

# A sensible starting network per dataset (raw layer dicts, parsed like a person's).
DEFAULT_LAYERS = {
    "points": ({"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}),
    "digits": _LENET,
    "mnist": _LENET,
    "fashion-mnist": _LENET,
    "shapes": ({"kind": "conv2d", "filters": 8, "kernel": 5, "padding": 2},
               {"kind": "maxpool"},
               {"kind": "conv2d", "filters": 16, "kernel": 3, "padding": 1},
               {"kind": "maxpool"},
               {"kind": "dense", "units": 32, "activation": "relu"}),
    "iris": ({"units": 8, "activation": "relu"},),
    "upload-table": ({"units": 16, "activation": "relu"},),
    "upload-images": _LENET,
    "sine-wave": ({"kind": "lstm", "units": 16},),
    "two-sines": ({"kind": "lstm", "units": 16},),
    "recall": ({"kind": "lstm", "units": 16},),
    "parity-count": ({"kind": "lstm", "units": 16},),
    "text": ({"kind": "embedding", "dim": 16}, {"kind": "lstm", "units": 64}),
    "autoencoder": ({"units": 64, "activation": "relu"},),
}

# (TF key, our feature name), in TF's property order, which is also the order it writes them.
FEATURE_KEYS = (
    ("x", "x1"), ("y", "x2"), ("xTimesY", "x1x2"), ("xSquared", "x1sq"), ("ySquared", "x2sq"),
    ("cosX", "cosx1"), ("sinX", "sinx1"), ("cosY", "cosx2"), ("sinY", "sinx2"),
)

# Controls TF can hide with <name>_hide=true, then its feature keys (which remove an input).
HIDEABLE: tuple[str, ...] = (
    "showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate",
    "activation", "regularization", "regularizationRate", "problem", "dataset",
    "percTrainData", "noise", "batchSize", "numHiddenLayers",
) + tuple(key for key, _ in FEATURE_KEYS)
HIDE_SUFFIX = "_hide"
