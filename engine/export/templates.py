"""The fixed pieces of an exported model.py, as Python source text: its imports, the data
readers, the network wrappers that mirror engine.nn.layers, the training loop that mirrors
engine.training.session, and its command line. `engine.export.script` fills them in."""
from __future__ import annotations


RULE_WIDTH = 96                    # section rules in the script
IMPORTS = ("import argparse", "import math", "from pathlib import Path", "import numpy as np",
           "import torch", "import torch.nn.functional as F", "from torch import nn")

READERS = {
    "digits": '''
def read_all() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8×8 digits (nothing downloads): pixels 0..16 scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    bunch = load_digits()
    return (bunch.images / 16.0).astype(np.float32)[:, None], bunch.target.astype(np.int64)
''',
    "iris": '''
def read_all() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled iris: four measurements in cm, three species."""
    from sklearn.datasets import load_iris
    bunch = load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int64)
''',
}
MNIST_READER = '''
def read_parts():
    """(images, labels) of the training files and of the t10k files (gzipped or not) in
    DATA_DIR: the files' own split."""
    def load(name):
        path = Path(DATA_DIR) / name
        return read_idx(path if path.exists() else path.with_name(name + ".gz"))
    return ((load("train-images-idx3-ubyte")[:, None], load("train-labels-idx1-ubyte")),
            (load("t10k-images-idx3-ubyte")[:, None], load("t10k-labels-idx1-ubyte")))
'''
READERS["mnist"] = READERS["fashion-mnist"] = MNIST_READER
# How each held-out policy (engine.data.heldout) draws and splits the rows: @SPLIT@ is the code
# that gives `parts`, the train, validation and test row indices of X.
LOAD_DATA = '''def load_data() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Model inputs and loss targets of the train, validation and test splits."""
    X, y, parts = draw()
    x, t = examples(X, y)
    return {name: (torch.from_numpy(np.ascontiguousarray(x[idx])),
                   torch.from_numpy(np.ascontiguousarray(t[idx])))
            for name, idx in zip(("train", "val", "test"), parts)}'''
DRAW_FILES = '''def draw():
    """The files' own split: a stratified subset of SAMPLES rows (all by default) from the
    train files (training, validation carved from its end) and the t10k files (test)."""
    (X1, y1), (X2, y2) = read_parts()
    train_rows, test_rows, n_val = file_parts(y1, y2, SAMPLES, VALIDATION_RATIO, DATA_SEED)
    X = np.concatenate([X1[train_rows], X2[test_rows]]).astype(np.float32) / 255
    y = np.concatenate([y1[train_rows], y2[test_rows]]).astype(np.int64)
    n1 = len(train_rows)
    return X, y, (np.arange(n1 - n_val), np.arange(n1 - n_val, n1), np.arange(n1, len(y)))'''
DRAW_UPLOAD = '''def draw():
    """Every row of your upload (its parsed arrays, DATA_FILE) and the train, validation and
    test rows, each class cut by the ratio (identical rows kept on one side)."""
    with np.load(DATA_FILE, allow_pickle=False) as f:
        X, y = f["X"], f["y"].astype(np.int64)
    parts = stratified_split(y, TRAIN_RATIO, VALIDATION_RATIO, DATA_SEED, keys=X)
    return @TO_FLOAT@, y, parts'''
DRAW_SPANS = '''def draw():
    """Text split by position: training windows from the start of the text, validation from
    the end of that part, test windows from the held-out tail; no window crosses."""
    text = {text}
    codes = encoded(text, vocabulary(text))
    spans = text_spans(len(text), TRAIN_RATIO, VALIDATION_RATIO)
    n_train, n_val = counts(SAMPLES, TRAIN_RATIO, VALIDATION_RATIO)
    sizes = [n_train - n_val, n_val, SAMPLES - n_train]
    rng = np.random.Generator(np.random.PCG64(DATA_SEED))
    X, y = text_windows(rng, sizes, spans, SEQ_LENGTH, codes)
    a, b = sizes[0], sizes[0] + sizes[1]
    return X, y, (np.arange(a), np.arange(a, b), np.arange(b, len(y)))'''
RESIDUAL = '''class Residual(nn.Module):
    """conv → act → conv, plus the input (through a 1×1 conv when channels change), → act."""

    def __init__(self, d_in: int, d_out: int, kernel: int, activation):
        super().__init__()
        pad = kernel // 2          # an odd kernel at stride 1 keeps H×W for the add
        self.conv1 = nn.Conv2d(d_in, d_out, kernel, padding=pad)
        self.act1 = activation()
        self.conv2 = nn.Conv2d(d_out, d_out, kernel, padding=pad)
        self.skip = nn.Conv2d(d_in, d_out, 1) if d_in != d_out else nn.Identity()
        self.act2 = activation()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act2(self.conv2(self.act1(self.conv1(x))) + self.skip(x))'''
NET = '''class Net(nn.Module):
    """The blocks in order, then the output head: flatten (or pick the time steps), a linear
    layer and the output activation. The layout of the app's engine.nn.layers.Net, so the same
    state_dict keys load."""

    def __init__(self, blocks, to_head: nn.Module, head: nn.Linear, out_act: nn.Module):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.to_head, self.head, self.out_act = to_head, head, out_act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.out_act(self.head(self.to_head(x)))'''
AUTOENCODER = '''class Autoencoder(nn.Module):
    """The encoder down to the bottleneck, the decoder back up to the input size."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))'''
MLP_INIT = '''@torch.no_grad()
def init_weights(model: nn.Module, gen: torch.Generator) -> None:
    """The app's initialisation (INIT). Its 2-D nets store each weight matrix as [inputs, units]
    and draw it in that order, so the draw is made in that shape and copied in transposed."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            w = torch.empty(m.in_features, m.out_features)
            _init_pair(w, m.bias, m.in_features, m.out_features, INIT, gen)
            m.weight.copy_(w.T)'''
OPTIMISE = '''def make_optimizer(params) -> torch.optim.Optimizer:
    """torch.optim's version of the app's optimiser (the same update, default options)."""
    if OPTIMIZER == "momentum":
        return torch.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM)
    if OPTIMIZER == "adamw":
        return torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop,
            "adagrad": torch.optim.Adagrad}[OPTIMIZER](params, lr=LEARNING_RATE)


def regularize(params) -> None:
    """Add the penalty's gradient to the weights' (biases are not penalised): L1 adds
    rate·sign(w), L2 rate·w."""
    if REGULARIZATION == "none" or not REGULARIZATION_RATE:
        return
    for p in params:
        if p.dim() > 1:
            w = p.detach()
            p.grad.add_(w.sign() if REGULARIZATION == "L1" else w, alpha=REGULARIZATION_RATE)'''
SCHEDULE_CODE = '''def set_learning_rate(optimizer, step: int, steps_per_epoch: int) -> None:
    """The rate of optimiser step `step`: LEARNING_RATE times the schedule's factor."""
    rate = LEARNING_RATE * lr_factor(SCHEDULE, step, steps_per_epoch, SCHEDULE_EPOCHS, GAMMA,
                                     WARMUP)
    for group in optimizer.param_groups:
        group["lr"] = rate'''
SCHEDULE_LINE = "            set_learning_rate(optimizer, step, steps_per_epoch)\n"
FAST_MLP = '''class FastMLP(nn.Module):
    """The network as the app trains it: each weight an [inputs, units] matrix and each layer
    one addmm. nn.Linear keeps [units, inputs]: the same arithmetic in another memory order
    rounds differently, and over a long run the two drift apart. train() trains this layout
    and copies the result back into the nn.Sequential."""

    def __init__(self, model: nn.Sequential):
        super().__init__()
        mods = list(model)
        pairs, self.acts = [], []
        for i, m in enumerate(mods):
            if isinstance(m, nn.Linear):
                pairs += [m.weight.detach().T.contiguous(), m.bias.detach().clone()]
                nxt = mods[i + 1] if i + 1 < len(mods) else None
                self.acts.append(nxt if nxt is not None and not isinstance(nxt, nn.Linear)
                                 else nn.Identity())
        self.p = nn.ParameterList(nn.Parameter(t) for t in pairs)     # w0, b0, w1, b1, ...

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i, act in enumerate(self.acts):
            x = act(torch.addmm(self.p[2 * i + 1], x, self.p[2 * i]))
        return x

    @torch.no_grad()
    def copy_into(self, model: nn.Sequential) -> None:
        linears = [m for m in model if isinstance(m, nn.Linear)]
        for i, lin in enumerate(linears):
            lin.weight.copy_(self.p[2 * i].T)
            lin.bias.copy_(self.p[2 * i + 1])'''
EVALUATE = '''EVAL_CHUNK = 1024


@torch.no_grad()
def evaluate(model: nn.Module, data) -> dict[str, float]:
    """Loss and accuracy of each non-empty split, in eval mode (dropout off, batch norm on its
    running statistics)."""
    model.eval()
    metrics = {}
    for name, (x, t) in data.items():
        if len(x):
            out = torch.cat([model(chunk) for chunk in x.split(EVAL_CHUNK)])
            metrics[f"{name}_loss"] = loss_fn(out, t).item()
            ok = correct(out, t)
            if ok is not None:
                metrics[f"{name}_accuracy"] = ok.float().mean().item()
    model.train()
    return metrics'''
AUGMENT_LINES = {   # the app's order: shift, flip, rotate and zoom, noise (one generator)
    "shift": "            xb = shift(xb, MAX_SHIFT, order, BACKGROUND)      # augmentation\n",
    "flip": "            xb = flip(xb, order)\n",
    "rotate_scale": "            xb = rotate_scale(xb, ROTATE, SCALE / 100, order, BACKGROUND)\n",
    "add_noise": "            xb = add_noise(xb, INPUT_NOISE, order)\n",
}
TRAIN = '''def train(epochs: int = EPOCHS, log=print) -> nn.Module:
    """Train from scratch as the app does: its initialisation, one shuffle per epoch from SEED,
    mini-batches, augmentation, the learning-rate schedule, regularisation, clipping and early
    stopping; log each epoch's metrics. Returns the net in eval mode."""
    data = load_data()
    x, t = data["train"]
    model = build_model()
    init_weights(model, torch.Generator().manual_seed(SEED))
    torch.manual_seed(SEED)                               # the stream of dropout masks
@NET@    params = list(net.parameters())
    optimizer = make_optimizer(params)
    order = torch.Generator().manual_seed(SEED)
    steps_per_epoch, step = math.ceil(len(x) / BATCH_SIZE), 0
    best, best_state, stale = math.inf, None, 0
    net.train()
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(len(x), generator=order)
        xs, ts = x[perm], t[perm]
        for i in range(0, len(xs), BATCH_SIZE):
            xb = xs[i:i + BATCH_SIZE]
@AUGMENT@@SCHEDULE@            loss = train_loss(net(xb), ts[i:i + BATCH_SIZE])
            optimizer.zero_grad()
            loss.backward()
            for p in params:              # after a step activation nothing upstream learns
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
            regularize(params)
            if CLIP:
                nn.utils.clip_grad_norm_(params, CLIP)
            optimizer.step()
            step += 1
        metrics = evaluate(net, data)
        log(f"epoch {epoch}  " + "  ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
        if EARLY_STOPPING and "val_loss" in metrics:
            if metrics["val_loss"] < best:
                best, stale = metrics["val_loss"], 0
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
            else:
                stale += 1
                if stale >= EARLY_STOPPING:
                    net.load_state_dict(best_state)
                    log("early stopping: restored the weights of the best epoch")
                    break
@BACK@    return model.eval()'''
PREDICT_AND_MAIN = '''def load_trained(path=WEIGHTS) -> nn.Module:
    """The exported, trained network, in eval mode."""
    from safetensors.torch import load_file
    model = build_model()
    model.load_state_dict(load_file(str(path)))
    return model.eval()


@torch.no_grad()
def predict(x, model: nn.Module | None = None) -> np.ndarray:
    """Raw outputs of the trained net (or `model`) for model inputs `x` (see the top)."""
    model = load_trained() if model is None else model.eval()
    x = torch.as_tensor(np.asarray(x))
    return model(x.float() if x.is_floating_point() else x).numpy()


def main(argv=None) -> None:
@DATA_DIR_GLOBAL@    p = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--predict", nargs=2, metavar=("INPUT.npy", "OUTPUT.npy"),
                      help="write the trained net's raw outputs for the model inputs in INPUT")
    what.add_argument("--train", type=int, metavar="EPOCHS",
                      help="train from scratch with the app's settings, printing the losses")
    p.add_argument("--save", metavar="FILE.safetensors", help="with --train: save the weights")
@DATA_DIR_ARG@    args = p.parse_args(argv)
@DATA_DIR_USE@    if args.predict:
        np.save(args.predict[1], predict(np.load(args.predict[0])))
        return
    model = train(args.train)
    if args.save:
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.save)


if __name__ == "__main__":
    main()
'''


SCRIPT, WEIGHTS, ONNX, SPEC, HISTORY, REQUIREMENTS = (
    "model.py", "weights.safetensors", "model.onnx", "spec.json", "history.csv",
    "requirements.txt")
TEXT = "text.txt"               # a person's own text, beside model.py (data.text)
DATA = "data.npz"           # an uploaded set's parsed arrays, beside model.py
