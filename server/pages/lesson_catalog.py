"""The lessons: one ready experiment per concept of an introductory course, each a real spec with
a short explanation for students and a few things to try with the controls on screen.

`lessons()` lists them in teaching order; `lesson(slug)` gets one. Specs are raw (what
`parse_spec` reads) and shared: copy them with `changed`, never edit them. What a text says
will happen is checked by the tests on these exact specs.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache

__all__ = ["Lesson", "Variant", "lessons", "lesson", "changed", "dense", "ALL_FEATURES"]


@dataclass(frozen=True)
class Variant:
    label: str
    spec: dict


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    concept: str                  # a few words for the index
    spec: dict                    # raw spec the lesson opens with
    text: str                     # the explanation: a few sentences
    tries: tuple[str, ...]        # what to try, naming controls on screen
    variants: tuple[Variant, ...] = ()


# --- spec helpers ----------------------------------------------------------------------------

ALL_FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]   # TF Playground's seven


def dense(*units: int, activation: str = "tanh") -> list[dict]:
    return [{"kind": "dense", "units": n, "activation": activation} for n in units]


def conv(filters: int, kernel: int = 3, stride: int = 1, padding: int = 0) -> dict:
    return {"kind": "conv2d", "filters": filters, "kernel": kernel, "stride": stride,
            "padding": padding, "activation": "relu"}


MAXPOOL = {"kind": "maxpool", "kernel": 2, "stride": 2}


def spec(dataset: str, layers: list[dict] | None = None, training: dict | None = None,
         **data) -> dict:
    """A lesson's raw spec. Lessons that a class watches set `training.speed` (epochs a second)
    so that a fit takes seconds, not a blink."""
    raw: dict = {"data": {"dataset": dataset, **data}}
    if layers is not None:
        raw["model"] = {"layers": layers}
    if training:
        raw["training"] = training
    return raw


def changed(raw: dict, **paths) -> dict:
    """A copy of `raw` with dotted paths set: changed(s, training__learning_rate=0.03)."""
    out = copy.deepcopy(raw)
    for key, value in paths.items():
        *parents, leaf = key.split("__")
        node = out
        for name in parents:
            node = node.setdefault(name, {})
        node[leaf] = value
    return out


def sweep(raw: dict, path: str, labelled) -> tuple[Variant, ...]:
    """Variants of `raw` that differ in one field: labelled = ((label, value), ...)."""
    return tuple(Variant(label, changed(raw, **{path: value})) for label, value in labelled)


# --- the lessons -----------------------------------------------------------------------------

SINE = spec("sine", dense(8, 8), {"speed": 10})

XOR = spec("xor", [], {"speed": 20})

ACTIVATIONS = spec("circle", dense(4, 2), {"speed": 20})

LEARNING_RATE = spec("circle", dense(4, 2), {"learning_rate": 3, "speed": 10, "same_start": True})

BATCH = spec("xor", dense(4, 2), {"batch_size": 1, "speed": 10}, noise=25)

OVERFIT = spec("xor", dense(8, 8, 8), {"speed": 20, "same_start": True}, noise=30,
               train_ratio=20, validation_ratio=50, features=ALL_FEATURES)
DROPOUT_OFF = spec("digits", dense(256, 256, activation="relu"), {"learning_rate": 0.001},
                   train_ratio=20, validation_ratio=50)
DROPOUT_ON = changed(DROPOUT_OFF, model__layers=[
    *dense(256, activation="relu"), {"kind": "dropout", "rate": 0.5},
    *dense(256, activation="relu"), {"kind": "dropout", "rate": 0.5}])

SPIRAL = spec("spiral", dense(8))
SPIRAL_FEATURES = changed(SPIRAL, data__features=ALL_FEATURES)
SPIRAL_DEPTH = changed(SPIRAL, model__layers=dense(8, 8, 8, 8, 8, 8, activation="relu"))

SOFTMAX = spec("circle", dense(8, 8, activation="relu"), {"loss": "cross_entropy", "speed": 20},
               classes=3)

EDGES = spec("shapes", [conv(8, kernel=5, padding=2), MAXPOOL, *dense(32, activation="relu")],
             {"speed": 1})

POOLING = spec("shapes", [conv(8, padding=1), MAXPOOL, conv(16, padding=1), MAXPOOL,
                          *dense(32, activation="relu")])

ARITHMETIC = spec("shapes", [conv(8), conv(16, stride=2, padding=1),
                             *dense(32, activation="relu")])

DIGITS = spec("digits")          # the dataset's default LeNet-like net

IRIS = spec("iris", training={"learning_rate": 0.01, "speed": 20})   # one hidden layer, 8 ReLU

RECURRENT = {"learning_rate": 0.01, "clip": 1}
RNN = spec("parity-count", [{"kind": "rnn", "units": 16, "num_layers": 1, "activation": "tanh"}],
           RECURRENT, seq_length=50)
LSTM = changed(RNN, model__layers=[{"kind": "lstm", "units": 16, "num_layers": 1}])

AUTOENCODER = {"data": {"dataset": "digits"}, "model": {"task": "autoencoder", "bottleneck": 2}}

QUANTIZE = spec("digits", [conv(16, padding=1), MAXPOOL, conv(32, padding=1), MAXPOOL,
                           *dense(64, activation="relu"), {"kind": "dropout", "rate": 0.25}],
                train_ratio=70)

_LESSONS = (
    Lesson(
        "sine", "Fitting a curve: the sine", "Regression: a network approximates a function",
        SINE,
        "Regression: the network reads one number, x₁, and must answer sin(x₁). The black curve "
        "is its answer across the whole range and the dots are the data. Each tanh neuron of "
        "the first layer makes one smooth S-shaped step, the next layer mixes them, and "
        "training moves and scales the steps until their sum follows the wave. The loss is half the squared error, averaged over the points, so it "
        "falls towards 0 as the curve fits.",
        ("Press play (▶): within about 50 epochs the curve follows the dots and the test loss "
         "drops below 0.05.",
         "Press − above the network to remove a layer, then − over the remaining layer until "
         "it has 1 neuron: one bend cannot make a wave.",
         "Choose Linear in the Activation menu: linear layers stacked are still a straight "
         "line.",
         "Choose ReLU: the curve is built from straight pieces joined at kinks.",
         "Switch on the sin(X₁) feature and remove every hidden layer: the answer is now one "
         "weight away, and the loss falls to almost 0."),
    ),
    Lesson(
        "xor", "Linear vs non-linear: XOR needs a hidden layer",
        "Why a network needs hidden layers", XOR,
        "With no hidden layer this network computes tanh(w₁x₁ + w₂x₂ + b), so the border "
        "between orange and blue is always one straight line. XOR puts each class in two "
        "opposite corners, and no straight line can split them: the test accuracy stays far "
        "from 100% however long it trains. Hidden neurons with a non-linear activation bend "
        "the border; so does an input feature that is already non-linear.",
        ("Press play (▶): the loss stalls and the picture stays one straight split.",
         "Press + above the network to add a hidden layer (4 tanh neurons). Training restarts; "
         "press play: the accuracy climbs above 95% within about 100 epochs.",
         "Remove the layer again (−) and switch on the X₁X₂ feature instead: its sign is the "
         "XOR answer, so a straight line in the new inputs solves it.",
         "Hover the hidden neurons: each draws one straight line; the output combines them."),
    ),
    Lesson(
        "activations", "Activation functions compared, step included",
        "tanh, ReLU, sigmoid, linear and step", ACTIVATIONS,
        "Each hidden neuron adds up its weighted inputs and passes the sum through an "
        "activation function. Non-linear ones (tanh, ReLU, sigmoid) let the network bend its "
        "border round the circle; Linear cannot, because linear layers stacked are one linear "
        "function. Learning follows the slope of the activation: Step jumps from 0 to 1 and is "
        "flat everywhere else, so no gradient passes through it and the hidden layers never "
        "learn. Changing the activation restarts training from the same starting weights, so "
        "the runs compare fairly.",
        ("Press play (▶) with Tanh: the circle is found within about 100 epochs.",
         "Choose ReLU in the Activation menu and press play: as quick, with a border made of "
         "straight pieces.",
         "Choose Sigmoid: after hundreds of epochs it is still stuck (its slope is at most ¼). "
         "Raise the Learning rate to 0.3 and it gets there.",
         "Choose Linear: the best it can draw is one straight line through a circle.",
         "Choose Step (no gradient) and play: the hidden neurons' pictures never change."),
    ),
    Lesson(
        "learning-rate", "Learning rate: too high and too low", "The size of each step",
        LEARNING_RATE,
        "The learning rate is the size of each step down the slope of the loss. Too high (3 "
        "here) and every step overshoots: the loss jumps about and ends higher than it started, "
        "and the big steps push the tanh neurons to ±1, where their slope is almost 0, so even "
        "a good rate then learns little. Too low (0.0001) and the steps are so small that "
        "nothing visible happens for hundreds of epochs. In between (0.03) it settles within "
        "about 100 epochs. Reset (↺) here restarts from the same weights (Same start on reset "
        "is on), so the rates compare fairly.",
        ("Press play (▶): the loss jumps about and ends above where it started.",
         "While it plays, choose 0.03 in the Learning rate menu: the loss barely improves, "
         "because the neurons are stuck at ±1 (hover them: solid colour).",
         "Press reset (↺) and play at 0.03: the loss falls and the circle appears within about "
         "100 epochs.",
         "Press reset, choose 0.0001 and play: after 100 epochs the loss has hardly moved. "
         "Try 1 and 0.3: where does “too high” begin?"),
        sweep(LEARNING_RATE, "training__learning_rate",
              (("Too high: 3", 3), ("About right: 0.03", 0.03), ("Too low: 0.0001", 0.0001))),
    ),
    Lesson(
        "batch-size", "Batch size and the noise of SGD", "Stochastic gradient descent",
        BATCH,
        "Each step estimates the slope of the loss from a batch of examples. A batch of 1 is a "
        "rough estimate, so the steps zig-zag: the training loss curve is jagged and the "
        "picture wobbles, but there are 250 steps in every epoch. A batch of 30 averages out "
        "the noise, but at the same learning rate its 9 steps per epoch get much less done. "
        "Batch size can change while the network trains.",
        ("Press play (▶) and look at the loss chart: a jagged line.",
         "Set Batch size to 30 while it plays: the line smooths out.",
         "Press reset (↺) with batch size 30 and play: after 30 epochs it is well behind where "
         "batch size 1 was after 30 (9 steps an epoch, not 250). Raise the Learning rate to "
         "0.3 to make up for fewer steps.",
         "At batch size 1, press +1 batch a few times: each step nudges the border, not always "
         "the right way."),
        sweep(BATCH, "training__batch_size",
              (("Batch size 1", 1), ("Batch size 10", 10), ("Batch size 30", 30))),
    ),
    Lesson(
        "overfitting", "Overfitting, and four cures", "L1, L2, dropout and early stopping",
        OVERFIT,
        "This network has far more freedom than its 50 noisy training points need (20% of "
        "the data is for training, and half of that is held out for validation). It fits the "
        "noise: the training loss sinks towards 0 while the validation loss, the dotted line, "
        "stays far above it and stops improving. L2 regularisation pulls every weight towards "
        "zero and L1 pushes small ones to exactly zero, so the net cannot bend round every "
        "noisy point. Early stopping watches the validation loss and keeps the weights of its "
        "best epoch. Dropout switches random neurons off while training, so none can be "
        "relied on alone; it is a layer, so try it on the digits variants.",
        ("Press play (▶): the training loss sinks towards 0 while the validation loss stays "
         "several times higher.",
         "Press reset (↺), set Regularisation to L2 and its rate to 0.01, play again: the "
         "training loss stays above 0 and the links stay thin. Try L1 at 0.003: one link in "
         "ten or more fades to nothing. Compare the validation losses.",
         "Set Regularisation back to None; under More settings set Early stopping patience to "
         "20 and play: it stops by itself and keeps the best epoch (the green dashed line).",
         "Open “Digits, no dropout” and “Digits with dropout” and play 60 epochs of each: with "
         "dropout the training loss stays higher (half the neurons are off at every step); "
         "compare the validation losses."),
        (Variant("2-D net", OVERFIT),
         Variant("Digits, no dropout", DROPOUT_OFF),
         Variant("Digits with dropout", DROPOUT_ON)),
    ),
    Lesson(
        "features-vs-depth", "Features or depth? The spiral", "Engineered inputs vs layers",
        SPIRAL,
        "The spiral's arms wind round each other, so the border between them must twist. One "
        "small layer reading only X₁ and X₂ cannot draw that shape. There are two ways out: "
        "give the network richer inputs (squares, a product and sines of the coordinates), or "
        "give it more layers so it builds such features itself. Good features work quickly if "
        "you guess them right; depth finds its own, but trains more slowly.",
        ("Press play (▶): after 200 epochs it still mixes up the arms.",
         "Click X₁², X₂², X₁X₂, sin(X₁) and sin(X₂) to switch them on (training restarts) and "
         "play: within about 300 epochs it separates the arms.",
         "Switch them off again, choose ReLU in the Activation menu and press + above the "
         "network until there are 6 layers: after a long flat start it gets there too.",
         "In the deep net, hover the neurons layer by layer: later layers draw more complex "
         "shapes."),
        (Variant("X₁, X₂ and one layer", SPIRAL),
         Variant("Features: all seven inputs", SPIRAL_FEATURES),
         Variant("Depth: six ReLU layers", SPIRAL_DEPTH)),
    ),
    Lesson(
        "softmax", "Several classes: softmax and cross-entropy", "Multi-class classification",
        SOFTMAX,
        "With more than two classes the output layer has one neuron per class. Softmax turns "
        "their outputs into probabilities that add up to 1; the map colours each place by its "
        "most likely class, paler where the network is unsure. Cross-entropy loss is −log of "
        "the probability given to the right class: near 0 when the network is confident and "
        "right, large when it is confident and wrong. Squared error is refused for more than "
        "two classes.",
        ("Press play (▶): the disc and the two rings around it take shape, and the colours "
         "deepen as the network grows surer.",
         "Change Classes (left column) to 5: five output neurons, and training restarts.",
         "Under More settings choose Loss: Squared error: the page says why it is refused.",
         "Raise Noise: the classes overlap and the map stays pale where they meet.",
         "Tick Discretize output to see only the winning class."),
    ),
    Lesson(
        "conv-filters", "Convolution filters as edge detectors", "What a conv layer learns",
        EDGES,
        "A convolution slides a small grid of weights, a filter, over the image and records "
        "how well each patch matches it. Nobody tells the filters what to look for. Trained to "
        "tell lines, squares, circles and crosses apart, several first-layer filters become "
        "rough edge and stripe detectors: light beside dark, at some angle. The Feature maps "
        "tab shows where in one image each filter responds. This lesson plays one epoch a "
        "second, so each change can be watched.",
        ("Press +1 batch five times and open the Confusion tab: after a few dozen examples, "
         "which shapes does it still mix up?",
         "Press play (▶) and open the Filters tab: within a few epochs several 5×5 filters "
         "show rough stripes and edges, and the confusion matrix fills its diagonal.",
         "Open Feature maps and step through examples with Next: an edge filter lights up "
         "along the edges of its own orientation.",
         "Change the first card's Kernel from 5 to 3 and its Padding from 2 to 1 (the card "
         "says why: padding 2 would grow the map): smaller filters, still edge-like."),
    ),
    Lesson(
        "pooling", "Pooling: smaller maps, fewer weights", "Max and average pooling",
        POOLING,
        "A 2×2 max pooling keeps the largest value of each 2×2 block: the map halves in height "
        "and width, the strongest responses survive, and a feature moved by one pixel gives "
        "nearly the same output. Pooling learns nothing (0 parameters), but everything after "
        "it sees four times fewer values, so a dense layer after it needs about four times "
        "fewer weights. Average pooling keeps the mean of each block instead of its largest "
        "value.",
        ("Read the cards: each Max pooling card halves the height and width, with 0 params.",
         "Remove the second Max pooling card (its ✕): the Dense card's params grow about "
         "fourfold.",
         "Change a Max pooling card's kind to Average pooling: it averages each block; compare "
         "the Feature maps tab.",
         "Press play (▶) with and without pooling and compare the test accuracy after the same "
         "number of epochs."),
    ),
    Lesson(
        "conv-arithmetic", "Conv arithmetic: output size, parameters, FLOPs",
        "What a layer costs", ARITHMETIC,
        "A convolution with kernel k, stride s and padding p turns an n-pixel-wide input into "
        "⌊(n + 2p − k) / s⌋ + 1 pixels. Each of its F filters has k×k weights for each of the C "
        "input channels plus one bias: F·(k·k·C + 1) parameters. Each output value costs "
        "k·k·C multiply-adds, so the layer costs height × width × F × k·k·C of them (the "
        "FLOPs shown). Every card shows these numbers and the size formula worked out.",
        ("Check the first card by hand: (16 − 3 + 0)/1 + 1 = 14; 8·(3·3·1 + 1) = 80 params; "
         "14·14·8·9 = 14,112 FLOPs.",
         "Set the first card's Padding to 1: the output stays 16×16.",
         "Set its Stride to 2 (Padding 0): the output is 7×7 and its FLOPs fall fourfold.",
         "Set Kernel to 7: more weights per filter, a smaller output. Watch the totals at the "
         "top of the layer list.",
         "Press play (▶): it still learns the shapes."),
    ),
    Lesson(
        "digits", "A digit classifier and its confusion matrix", "Images: a small CNN",
        DIGITS,
        "1,797 handwritten digits of 8×8 pixels (scikit-learn's set). A small convolutional "
        "network gets most of the test set right within a few epochs. The confusion matrix "
        "counts, for each true digit (row), what the network answered (column): the diagonal "
        "is right, every other cell is a mistake, and the larger ones show which digits look "
        "alike to it.",
        ("Press play (▶) and open the Confusion tab: the diagonal fills in as the accuracy "
         "climbs.",
         "Click a cell off the diagonal to see the examples it mixed up.",
         "Open Mistakes: the test images it is most confidently wrong about.",
         "Remove the Convolution and Max pooling cards, leaving the Dense layer: how much "
         "accuracy is lost?"),
    ),
    Lesson(
        "iris", "Iris: classifying flowers from measurements", "Tables: a small dense net",
        IRIS,
        "Fisher's 150 iris flowers, each four measurements in cm (sepal and petal length and "
        "width) and one of three species. A network with one hidden layer learns the species "
        "from the numbers alone. Setosa is easy, its petals are much smaller; versicolor and "
        "virginica overlap, so nearly all the mistakes fall between those two.",
        ("Press play (▶) and open Confusion: after 100 epochs it gets over 90% of the test "
         "flowers right, and nearly every mistake is a versicolor taken for a virginica or the "
         "other way round.",
         "Change Ratio of training to test data to 20: with 30 training flowers, how well does "
         "it do on the rest?",
         "Remove the hidden layer (✕ on its card): one layer of weights draws straight borders "
         "between the species, and still gets more than 80% of the flowers right.",
         "Open Histograms and watch the weights spread as it learns."),
    ),
    Lesson(
        "rnn-vs-lstm", "An RNN against an LSTM on a long sequence", "Vanishing gradients",
        RNN,
        "Each sequence is 50 random bits and the label says whether more than half of them are "
        "ones, so the network must count across all 50 steps. To learn that, the error at the "
        "end must flow back to the early steps. In a simple RNN that signal is multiplied by the "
        "recurrent weights and the tanh slope at every step, so it shrinks geometrically: "
        "before training, about a million-millionth of it reaches step 1. An LSTM updates its "
        "cell state by adding, through a forget gate that starts almost open: roughly a "
        "hundred-thousandth arrives, millions of times more. So the LSTM learns to count every "
        "bit, while the simple RNN mostly counts the recent ones and stalls short of 95%.",
        ("Open the Gradients tab before pressing play: the bars fall to almost nothing "
         "towards step 1 (the axis is logarithmic, and the same for both networks).",
         "Change the layer card's kind from Simple RNN to LSTM (training restarts) and look "
         "again: far more of the signal reaches the first steps.",
         "Press play (▶) for each and watch the test accuracy: the LSTM passes 95% within "
         "about 20 epochs; after 40 the simple RNN has still not reached it.",
         "Set Sequence length to 20: both pass 95% within about 15 epochs."),
        (Variant("Simple RNN", RNN), Variant("LSTM", LSTM)),
    ),
    Lesson(
        "autoencoder", "An autoencoder's 2-D map of the digits", "Learning without labels",
        AUTOENCODER,
        "An autoencoder learns to reproduce its input through a narrow middle: every 8×8 digit "
        "(64 numbers) must squeeze through 2 numbers and come back out. Training never sees the "
        "labels. Those 2 numbers are a place on a map: the Embedding tab plots each test digit "
        "there, coloured by its true label, and digits that look alike land near each other.",
        ("Press play (▶) and open the Embedding tab: the coloured clouds pull apart as it "
         "learns.",
         "Compare the originals with their reconstructions under the map: blurry, because "
         "2 numbers cannot hold every stroke.",
         "Set Bottleneck units to 8 (training restarts): the reconstructions get sharper.",
         "Which digits share a cloud? Those are the ones that look alike in 64 pixels."),
    ),
    Lesson(
        "quantize", "Quantising to int8, and what it costs", "Smaller models after training",
        QUANTIZE,
        "A trained network keeps its weights as 32-bit floating-point numbers. Quantising "
        "stores them as 8-bit integers with a scale per tensor: the model shrinks to about a "
        "quarter to a half (the scales add a little), and int8 arithmetic runs faster on many "
        "processors. Rounding every weight costs some accuracy; for a well-trained network "
        "usually very little. Quantise measures both models on the same test set.",
        ("Press play (▶) for about 10 epochs, pause, then press Quantise (under Your model): "
         "compare the model size and the accuracy.",
         "Train longer and quantise again: the int8 model tracks the float one.",
         "Press reset (↺) and quantise at once: an untrained network is at chance either way.",
         "Quantise a small 2-D network from the xor lesson: it can come out bigger, because "
         "the int8 format's fixed overhead outweighs what it saves."),
    ),
)


@cache
def _by_slug() -> dict[str, Lesson]:
    return {item.slug: item for item in _LESSONS}


def lessons() -> tuple[Lesson, ...]:
    """Every lesson, in teaching order."""
    return _LESSONS


def lesson(slug: str) -> Lesson:
    """The lesson named `slug`; KeyError when there is none."""
    return _by_slug()[slug]
