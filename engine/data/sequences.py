"""Sequence datasets for recurrent networks: noisy sine waves, bit sequences and text.

Everything is generated here; nothing is downloaded. Generators `(rng, samples, noise,
seq_length) -> (X, y)`; what one row holds per kind (series, bits, text) is in
docs/internals.md ("Datasets").
"""
from __future__ import annotations

import math

import numpy as np

from engine.data.heldout import window_starts
from engine.data.points import split_even
from engine.data.usertext import encoded, vocabulary


DEFAULT_SEQ_LENGTH = 20                 # the spec's default data.seq_length
SERIES_FUTURE = 40                      # steps past the input kept for the free-running forecast

# --- series: amplitude 1, so noise σ = noise ---
AMPLITUDE = 1.0
SINE_PERIOD = 20.0                      # steps: a default 20-step window shows one period
# two-sines: a slow and a fast component with incommensurate periods and independent random
# phases; their amplitudes sum to AMPLITUDE, so the series stays within ±1.
TWO_SINE_PERIODS = (20.0, 7.0)
TWO_SINE_AMPLITUDES = (0.6, 0.4)

# --- bits ---
BIT_NAMES = ("0", "1")

# --- text: the corpus, written for this project ---
SPACE_NAME, NEWLINE_NAME = "␣", "↵"     # printable class names for the invisible characters
CORPUS = """\
twinkle twinkle little net,
how i wonder what you get.
up above the loss so high,
like a gradient in the sky.
twinkle twinkle little net,
how i wonder what you get.

one weight, two weights, three weights, four,
add a bias, add some more.
five weights, six weights, seven, eight,
multiply and then we wait.
nine weights, ten weights, sum them all,
watch the loss begin to fall.

the neuron on the net goes sum, sum, sum,
sum, sum, sum, sum, sum, sum.
the neuron on the net goes sum, sum, sum,
all through the training.
the signal in the net goes up and down,
up and down, up and down.
the signal in the net goes up and down,
all through the training.

hey diddle diddle, the loss and the middle,
the gradient jumped over the moon.
the little net laughed to see such fun,
and the weights ran away with the spoon.

mary had a little net,
its weights were small and slow.
and everywhere that mary went,
the net was sure to go.
it followed her to class one day,
which was against the rule.
it made the students laugh and play
to see a net at school.

row, row, row your net,
gently down the slope.
merrily, merrily, merrily, merrily,
step by step we hope.

the old grey teacher had a net,
with a layer here and a layer there.
here a neuron, there a neuron,
everywhere a hidden neuron.
the old grey teacher had a net,
and it learned to read with care.

little boy blue, come tune your rate,
the loss is high and the hour is late.
too big a step and the loss will climb,
too small a step and it takes all time.

an lstm keeps a cell of its own,
it opens a gate and it closes a gate.
it keeps what it needs and it lets the rest go,
and it carries the first bit however long the row.
a simple rnn forgets as it goes,
the early bits fade and nobody knows.

rain, rain, noisy rain,
shake the data once again.
clean or noisy, short or long,
the net will learn to sing this song.

this little net went to the market,
this little net stayed home.
this little net had a long memory,
this little net had none.
and this little net went tanh, tanh, tanh,
all the way to zero.

one for the input, two for the weight,
three for the layer that learns to relate.
four for the gate and five for the cell,
six for the output that learns to spell.
seven for the epoch, eight for the batch,
nine for the test that the net must match.
ten for the loss when it comes down at last,
and the little net sleeps, for the training is past.

humpty dumpty sat on a ridge,
humpty dumpty fell off the bridge.
all the optimisers and all of their men
could not get humpty to converge again.

baa baa black sheep, have you any data?
yes sir, yes sir, three bags full.
one for the training, one for the test,
and one for the validation, to tell which is best.

hickory dickory dock,
the net ran up the clock.
the clock struck one,
the epoch was done,
hickory dickory dock.

old king cole was a merry old soul,
and a merry old soul was he.
he called for his net and he called for his data,
and he called for his gradients three.

little miss muffet sat on a tuffet,
training her network all day.
along came a spider who sat down beside her
and asked for the learning rate.

the quick little net jumps over the lazy loss,
the quick little net jumps over the lazy loss.
it jumps to the left and it jumps to the right,
and it finds the minimum late in the night.

jack and jill went up the hill
to fetch a pail of weights.
jack fell down and broke his crown,
his learning rate was too great.
jill came after with a smaller step,
and she reached the valley floor.
she saved the weights and went to bed,
and she trained a little more.

star light, star bright,
first loss i see tonight.
i wish i may, i wish i might,
have the weights i seek tonight.
"""
VOCAB: tuple[str, ...] = vocabulary(CORPUS)
_INDEX = {ch: i for i, ch in enumerate(VOCAB)}
VOCAB_NAMES: tuple[str, ...] = tuple(
    {" ": SPACE_NAME, "\n": NEWLINE_NAME}.get(ch, ch) for ch in VOCAB)


# ---- series ---------------------------------------------------------------------------------

def _sines(phases: np.ndarray, periods, amplitudes, length: int) -> np.ndarray:
    """Σ_k a_k sin(phase_k + 2π t / period_k) for t = 0..length-1: phases [n, K] -> [n, L]."""
    t = np.arange(length)
    out = np.zeros((len(phases), length))
    for k, (period, amplitude) in enumerate(zip(periods, amplitudes)):
        out += amplitude * np.sin(phases[:, k:k + 1] + 2 * math.pi * t / period)
    return out


def _series(periods, amplitudes):
    def draw(rng, samples, noise, seq_length):
        phases = rng.uniform(0.0, 2 * math.pi, (samples, len(periods)))
        length = seq_length + SERIES_FUTURE
        values = _sines(phases, periods, amplitudes, length)
        values += rng.normal(0.0, noise * AMPLITUDE, values.shape)
        return values[..., None].astype(np.float32), np.zeros(samples, np.float32)
    return draw


sine_wave = _series((SINE_PERIOD,), (AMPLITUDE,))
two_sines = _series(TWO_SINE_PERIODS, TWO_SINE_AMPLITUDES)


# ---- bits -----------------------------------------------------------------------------------

def _balanced_labels(samples: int) -> np.ndarray:
    return np.repeat(np.arange(len(BIT_NAMES)), split_even(samples, len(BIT_NAMES)))


def _noisy_bits(rng, bits: np.ndarray, noise: float):
    X = bits + rng.normal(0.0, noise, bits.shape)
    return X[..., None].astype(np.float32)


def recall(rng, samples, noise, seq_length):
    """Fair coin flips; the label is the first bit (rows grouped by label)."""
    y = _balanced_labels(samples)
    bits = rng.integers(0, 2, (samples, seq_length)).astype(np.float64)
    bits[:, 0] = y
    return _noisy_bits(rng, bits, noise), y


def majority_threshold(seq_length: int) -> int:
    """The fewest ones that make a row of parity-count class 1: more than half the length."""
    return seq_length // 2 + 1


def _counts(rng, label: int, n: int, seq_length: int) -> np.ndarray:
    """How many ones, drawn as for fair coin flips conditioned on the label's side of half."""
    first = majority_threshold(seq_length)
    ks = np.arange(first, seq_length + 1) if label else np.arange(0, first)
    weights = np.array([math.comb(seq_length, int(k)) for k in ks], dtype=np.float64)
    return rng.choice(ks, n, p=weights / weights.sum())


def parity_count(rng, samples, noise, seq_length):
    """Rows that look like fair coin flips; label 1 when more than half of the bits are ones."""
    y = _balanced_labels(samples)
    counts = np.concatenate([_counts(rng, c, int((y == c).sum()), seq_length)
                             for c in range(len(BIT_NAMES))])
    ranks = rng.random((samples, seq_length)).argsort(axis=1).argsort(axis=1)
    bits = (ranks < counts[:, None]).astype(np.float64)     # `count` ones at random places
    return _noisy_bits(rng, bits, noise), y


# ---- text -----------------------------------------------------------------------------------

def encode(text: str) -> np.ndarray:
    """Character indices (int64) of `text` in VOCAB; KeyError for a character outside it."""
    return np.array([_INDEX[ch] for ch in text], dtype=np.int64)


def decode(indices) -> str:
    """The text that VOCAB indices spell."""
    return "".join(VOCAB[int(i)] for i in indices)


_CORPUS_CODES = encoded(CORPUS, VOCAB)


def max_text_length() -> int:
    """The longest seq_length a text window (seq_length + 1 characters) can have."""
    return len(CORPUS) - 1


def text(rng, samples, noise, seq_length):
    """Windows of seq_length + 1 characters at random offsets of CORPUS; noise is ignored."""
    starts = rng.integers(0, len(CORPUS) - seq_length, samples)
    X = _CORPUS_CODES[starts[:, None] + np.arange(seq_length + 1)]
    return X, np.zeros(samples, np.int64)


def text_windows(rng, sizes, spans, seq_length, codes):
    """sizes[i] windows of seq_length + 1 characters lying wholly inside spans[i] ([start, end)
    of the text whose character indices are `codes`), part after part: a split by position
    that no window crosses."""
    window = seq_length + 1
    starts = np.concatenate(window_starts(rng, [(a, b - window + 1) for a, b in spans], sizes))
    X = codes[starts[:, None] + np.arange(window)]
    return X, np.zeros(len(X), np.int64)
