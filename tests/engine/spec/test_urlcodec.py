"""engine.urlcodec: TF Playground share links in, TF-compatible share links out."""
import copy

import pytest

from engine.data.registry import DATASETS
from engine.spec.fields import HIDEABLE
from engine.spec.parse import parse_spec
from engine.spec.plan import kinds_for
from engine.spec.types import SpecError
from engine.spec.urlcodec import NEW_KEYS, TF_KEYS, hash_to_raw, spec_to_hash


TF_LINK = (
    "#activation=relu&regularization=L2&batchSize=17&dataset=spiral&regDataset=reg-plane"
    "&learningRate=0.01&regularizationRate=0.003&noise=15&networkShape=6,4,3&seed=0.48512"
    "&showTestData=true&discretize=false&percTrainData=70&x=true&y=true&xTimesY=false"
    "&xSquared=true&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=true"
    "&collectStats=false&problem=classification&initZero=false&hideText=false"
    "&learningRate_hide=true"
)

# The default spec, normalised, written out by hand (docs/protocol.md section 1).
BASE = {
    "version": 1,
    "data": {"dataset": "circle", "classes": 2, "samples": 500, "noise": 0, "train_ratio": 50,
             "validation_ratio": 0, "seed": 1, "augment": "none", "flip": False, "rotate": 0,
             "scale": 0, "input_noise": 0, "normalize": True, "seq_length": 20,
             "features": ["x1", "x2"]},
    "model": {"layers": [{"kind": "dense", "units": 4, "activation": "tanh"},
                         {"kind": "dense", "units": 2, "activation": "tanh"}],
              "init": "tf", "task": "predict", "bottleneck": 2, "activation": "tanh"},
    "training": {"loss": "mse", "optimizer": "sgd", "learning_rate": 0.03, "momentum": 0.9,
                 "batch_size": 10, "regularization": "none", "regularization_rate": 0.0,
                 "schedule": "constant", "schedule_epochs": 100, "gamma": 0.1, "warmup": 0,
                 "weight_decay": 0.01, "label_smoothing": 0, "early_stopping": 0, "clip": 0,
                 "seed": 1, "same_start": False, "speed": 60},
    "view": {"show_test_data": False, "discretize": False, "hide_text": False, "hidden": [],
             "presenter": False},
}


def spec(**sections):
    """BASE with some fields replaced: spec(data={"noise": 5}, model={...})."""
    out = copy.deepcopy(BASE)
    for name, fields in sections.items():
        out[name].update(fields)
    return out


def model(layers, init):
    """BASE's model with these layers; the menu's activation is the first dense layer's, as the
    parser defaults it."""
    first = next((l["activation"] for l in layers if l.get("kind", "dense") == "dense"), "tanh")
    return {**BASE["model"], "layers": layers, "init": init, "activation": first}


def dense(*pairs):
    return [{"kind": "dense", "units": u, "activation": a} for u, a in pairs]


SPECS = {
    "default": spec(),
    "per-layer activations": spec(model=model(dense((5, "relu"), (3, "gelu"), (2, "tanh")),
                                              "tf")),
    "L1 and TF's ladder": spec(training={**BASE["training"], "regularization": "L1",
                                         "regularization_rate": 0.001,
                                         "learning_rate": 0.00001, "batch_size": 30}),
    "multi-class cross-entropy": spec(data={**BASE["data"], "dataset": "gauss", "classes": 4,
                                            "samples": 800, "noise": 25},
                                      training={**BASE["training"], "loss": "cross_entropy"}),
    "adam, validation, early stopping": spec(
        data={**BASE["data"], "validation_ratio": 20, "train_ratio": 70},
        training={**BASE["training"], "optimizer": "adam", "momentum": 0.5,
                  "learning_rate": 0.003, "early_stopping": 15, "seed": 77}),
    "no hidden layers, zero init": spec(model=model([], "zero")),
    "he init, all features": spec(
        data={**BASE["data"], "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2",
                                           "cosx1", "cosx2"], "seed": 2**31 - 1},
        model=model(dense((8, "leaky_relu")), "he")),
    "hidden controls and view": spec(view={"show_test_data": True, "discretize": True,
                                           "hide_text": True,
                                           "hidden": ["learningRate", "problem", "noise", "x",
                                                      "cosY"]}),
    "regression multi-gauss": spec(data={**BASE["data"], "dataset": "multi-gauss",
                                         "samples": 1200, "noise": 10, "seed": 48512},
                                   training={**BASE["training"], "seed": 48512}),
    "regression sine, 1-D": spec(data={**BASE["data"], "dataset": "sine", "samples": 300,
                                       "features": ["x1", "sinx1"]},
                                 model=model(dense((6, "elu"), (6, "elu")), "xavier")),
    "gradient clipping": spec(training={**BASE["training"], "clip": 0.5}),
}

# Image and tabular specs, normalised by the parser (their defaults depend on the dataset).
RAW_SPECS = {
    "digits default (LeNet)": {"data": {"dataset": "digits"}},
    "digits custom conv net": {
        "data": {"dataset": "digits", "seed": 5, "samples": 900},
        "model": {"init": "tf", "layers": [
            {"kind": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
            {"kind": "batchnorm", "activation": "relu"},
            {"kind": "residual", "filters": 12, "kernel": 3, "activation": "elu"},
            {"kind": "avgpool"},
            {"kind": "conv2d", "filters": 16, "kernel": 3, "stride": 1, "padding": 1,
             "activation": "leaky_relu"},
            {"kind": "maxpool", "kernel": 2, "stride": 2},
            {"kind": "flatten"},
            {"kind": "dropout", "rate": 0.3},
            {"kind": "dense", "units": 32, "activation": "relu"},
            {"kind": "dropout", "rate": 0.05}]},
        "training": {"optimizer": "adam", "learning_rate": 0.001}},
    "digits, init tf": {"data": {"dataset": "digits"}, "model": {"init": "tf"}},
    "shapes, augment shift": {"data": {"dataset": "shapes", "augment": "shift"}},
    "iris, dense net, init tf": {
        "data": {"dataset": "iris"},
        "model": {"init": "tf", "layers": [{"units": 16, "activation": "relu"},
                                           {"units": 8, "activation": "tanh"}]}},
    "iris, dropout and batchnorm": {
        "data": {"dataset": "iris"},
        "model": {"layers": [{"units": 16, "activation": "relu"}, {"kind": "batchnorm"},
                             {"kind": "dropout", "rate": 0.5}]}},
    "digits autoencoder, bottleneck 3": {"data": {"dataset": "digits"},
                                         "model": {"task": "autoencoder", "bottleneck": 3}},
    "mnist, normalize false": {"data": {"dataset": "mnist", "normalize": False}},
}


# Sequence specs, normalised by the parser.
SEQUENCE_SPECS = {
    "sine-wave default": {"data": {"dataset": "sine-wave"}},
    "two-sines, long, noisy, clipped, stacked gru": {
        "data": {"dataset": "two-sines", "seq_length": 50, "noise": 10},
        "model": {"layers": [{"kind": "gru", "units": 32, "num_layers": 2}]},
        "training": {"clip": 1}},
    "recall, plain rnn, long": {
        "data": {"dataset": "recall", "seq_length": 100},
        "model": {"layers": [{"kind": "rnn", "units": 24, "num_layers": 1,
                              "activation": "relu"}]},
        "training": {"clip": 0.5}},
    "parity-count default": {"data": {"dataset": "parity-count"}},
    "text, embedding and lstm stack": {
        "data": {"dataset": "text", "seq_length": 40},
        "model": {"layers": [{"kind": "embedding", "dim": 24},
                             {"kind": "lstm", "units": 48, "num_layers": 2}]}},
}
ALL_SPECS = [*SPECS, *RAW_SPECS, *SEQUENCE_SPECS]


def normalised(name):
    """A test spec in normalised form: SPECS' are hand-written, the others parsed."""
    if name in SPECS:
        return SPECS[name]
    return parse_spec(RAW_SPECS[name] if name in RAW_SPECS else SEQUENCE_SPECS[name]).to_dict()


def parsed_defaults(s):
    """What parse_spec fills in for a spec of this dataset, task and (2-D sets) classes."""
    raw = {"data": {"dataset": s["data"]["dataset"]}, "model": {"task": s["model"]["task"]}}
    if DATASETS[s["data"]["dataset"]].family == "points":
        raw["data"]["classes"] = s["data"]["classes"]
    return parse_spec(raw).to_dict()


def leaves(d, prefix=""):
    """path -> value for every scalar or list leaf of a nested dict."""
    for key, value in d.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from leaves(value, path + ".")
        else:
            yield path, value


def pairs(hash_text):
    return [item.split("=", 1) for item in hash_text.split("&")]


# --- decoding -------------------------------------------------------------------------------

def test_tf_link_decodes_to_raw_fields():
    assert hash_to_raw(TF_LINK) == {
        "model": {"layers": dense((6, "relu"), (4, "relu"), (3, "relu"))},
        "training": {"regularization": "L2", "batch_size": 17, "learning_rate": 0.01,
                     "regularization_rate": 0.003, "seed": 48512},
        "data": {"dataset": "spiral", "noise": 15, "seed": 48512, "train_ratio": 70,
                 "features": ["x1", "x2", "x1sq", "x2sq", "sinx1", "sinx2"]},
        "view": {"show_test_data": True, "discretize": False, "hide_text": False,
                 "hidden": ["learningRate"]},
    }


def test_tf_link_parses_into_a_full_spec():
    s = parse_spec(hash_to_raw(TF_LINK)).to_dict()
    assert s["data"]["dataset"] == "spiral" and s["data"]["samples"] == 500
    assert s["training"]["loss"] == "mse" and s["training"]["optimizer"] == "sgd"
    assert s["model"]["init"] == "tf"
    assert s["training"]["seed"] == s["data"]["seed"] == 48512


@pytest.mark.parametrize("text", [
    "https://playground.tensorflow.org/" + TF_LINK,
    "http://localhost:5000/?x=1" + TF_LINK,
    TF_LINK[1:],
    "  " + TF_LINK + "\n",
])
def test_url_and_hash_forms_are_accepted(text):
    assert hash_to_raw(text) == hash_to_raw(TF_LINK)


@pytest.mark.parametrize("text", ["", "#", "https://playground.tensorflow.org/", "&&", "seed",
                                  "=5"])
def test_empty_inputs_give_an_empty_raw_spec(text):
    assert hash_to_raw(text) == {}


def test_regression_link_picks_reg_dataset():
    base = "dataset=spiral&regDataset={}&problem=regression"
    assert hash_to_raw(base.format("reg-gauss"))["data"]["dataset"] == "multi-gauss"
    assert hash_to_raw(base.format("reg-plane"))["data"]["dataset"] == "plane"
    assert hash_to_raw(base.format("sine"))["data"]["dataset"] == "sine"
    # TF's default regression dataset when the link names none.
    assert hash_to_raw("problem=regression")["data"]["dataset"] == "plane"
    # Classification ignores regDataset; an unknown problem means classification, as in TF.
    assert hash_to_raw("dataset=xor&regDataset=reg-gauss")["data"]["dataset"] == "xor"
    assert hash_to_raw("dataset=xor&problem=nonsense")["data"]["dataset"] == "xor"
    assert "data" not in hash_to_raw("regDataset=reg-gauss&problem=classification")


def test_network_shape_and_activation():
    assert hash_to_raw("networkShape=")["model"]["layers"] == []
    assert hash_to_raw("activation=relu&networkShape=")["model"]["layers"] == []
    # Without networkShape the activation applies to TF's default 4,2 network.
    assert hash_to_raw("activation=sigmoid")["model"]["layers"] == dense((4, "sigmoid"),
                                                                        (2, "sigmoid"))
    # Without activation the layers get TF's tanh.
    assert hash_to_raw("networkShape=3")["model"]["layers"] == dense((3, "tanh"))
    assert hash_to_raw("activation=relu&networkShape=2,2&activations=elu,gelu")[
        "model"]["layers"] == dense((2, "elu"), (2, "gelu"))


def test_features_start_from_tf_inputs_in_canonical_order():
    assert hash_to_raw("sinY=true&xTimesY=true")["data"]["features"] == ["x1", "x2", "x1x2",
                                                                         "sinx2"]
    assert hash_to_raw("x=false&cosY=true&xSquared=true")["data"]["features"] == [
        "x2", "x1sq", "cosx2"]


def test_seeds():
    assert hash_to_raw("seed=0.48512") == {"data": {"seed": 48512},
                                           "training": {"seed": 48512}}
    assert hash_to_raw("seed=48512") == hash_to_raw("seed=0.48512")
    assert hash_to_raw("seed=0.00000")["data"]["seed"] == 0
    assert hash_to_raw("seed=7&trainSeed=9") == {"data": {"seed": 7}, "training": {"seed": 9}}
    assert hash_to_raw("trainSeed=9") == {"training": {"seed": 9}}
    # Deterministic: the same link always gives the same data.
    assert hash_to_raw("seed=0.3") == hash_to_raw("seed=0.3")
    assert 0 <= hash_to_raw("seed=123456.789")["data"]["seed"] < 2**31


def test_init():
    assert hash_to_raw("initZero=true")["model"] == {"init": "zero"}
    assert hash_to_raw("initZero=false") == {}
    assert hash_to_raw("initZero=false&init=he")["model"] == {"init": "he"}
    assert hash_to_raw("initZero=true&init=xavier")["model"] == {"init": "xavier"}


def test_our_keys_decode():
    raw = hash_to_raw("optimizer=adam&loss=cross_entropy&momentum=0.5&classes=3&samples=900"
                      "&validation=20&earlyStopping=10")
    assert raw == {"training": {"optimizer": "adam", "loss": "cross_entropy", "momentum": 0.5,
                                "early_stopping": 10},
                   "data": {"classes": 3, "samples": 900, "validation_ratio": 20}}


def test_hidden_names_keep_tf_spelling_in_canonical_order():
    raw = hash_to_raw("x_hide=true&noise_hide=true&playButton_hide=true&dataset_hide=false")
    assert raw["view"]["hidden"] == ["playButton", "noise", "x"]


def test_unknown_keys_are_ignored_and_reported():
    unknown = []
    raw = hash_to_raw("foo=1&activation=relu&bar_hide=true&collectStats=true&tutorial=dp",
                      unknown)
    assert unknown == ["foo", "bar_hide"]
    assert raw == {"model": {"layers": dense((4, "relu"), (2, "relu"))}}
    assert hash_to_raw("foo=1") == {}  # no list given: still fine


def test_blank_values_count_as_absent_and_last_duplicate_wins():
    assert hash_to_raw("learningRate=&batchSize= &noise=5&noise=10") == {"data": {"noise": 10}}


def test_percent_encoded_values():
    assert hash_to_raw("networkShape=3%2C2")["model"]["layers"] == dense((3, "tanh"),
                                                                        (2, "tanh"))


def test_well_formed_numbers_are_typed():
    raw = hash_to_raw("learningRate=1&regularizationRate=1e-3&batchSize=10.0&momentum=.5")
    assert raw["training"] == {"learning_rate": 1.0, "regularization_rate": 0.001,
                               "batch_size": 10, "momentum": 0.5}
    assert isinstance(raw["training"]["batch_size"], int)


def test_malformed_values_pass_through_for_the_parser():
    raw = hash_to_raw("learningRate=abc&batchSize=1.5&noise=nan&percTrainData=1_0&seed=abc"
                      "&showTestData=yes&networkShape=4,a&x=maybe&learningRate_hide=1"
                      "&initZero=yes&momentum=1e999")
    assert raw["training"]["learning_rate"] == "abc"
    assert raw["training"]["batch_size"] == 1.5
    assert raw["training"]["momentum"] == "1e999"
    assert raw["data"]["noise"] == "nan"
    assert raw["data"]["train_ratio"] == "1_0"
    assert raw["data"]["seed"] == "abc"
    assert "seed" not in raw["training"]  # not copied from a malformed data seed
    assert raw["view"]["show_test_data"] == "yes"
    assert raw["model"]["layers"][1]["units"] == "a"
    assert raw["data"]["features"] == ["x1", "x2", "x=maybe"]
    assert raw["view"]["hidden"] == ["learningRate_hide=1"]
    assert raw["model"]["init"] == "initZero=yes"


def test_malformed_values_are_rejected_with_their_paths():
    with pytest.raises(SpecError) as err:
        parse_spec(hash_to_raw("learningRate=abc&batchSize=1.5&networkShape=4,a&x=maybe"
                               "&activation=swish&noise=nan"))
    paths = {e["path"] for e in err.value.errors}
    assert {"training.learning_rate", "training.batch_size", "model.layers[1].units",
            "model.layers[0].activation", "data.features", "data.noise"} <= paths
    assert any("abc" in e["message"] for e in err.value.errors)


def test_per_layer_activations_of_the_wrong_length_name_the_key():
    raw = hash_to_raw("networkShape=4,2&activations=relu")
    assert [l["activation"] for l in raw["model"]["layers"]] == ["activations=relu"] * 2
    with pytest.raises(SpecError) as err:
        parse_spec(raw)
    assert "activations=relu" in err.value.errors[0]["message"]


def test_layers_key_decodes_every_kind_in_layer_kinds_order():
    raw = hash_to_raw("dataset=digits&layers=conv2d:8:3:1:1:relu,batchnorm:linear,"
                      "residual:8:3:elu,avgpool:2:2,maxpool:3:1,flatten,dropout:0.25,"
                      "dense:64:relu")
    assert raw["model"]["layers"] == [
        {"kind": "conv2d", "filters": 8, "kernel": 3, "stride": 1, "padding": 1,
         "activation": "relu"},
        {"kind": "batchnorm", "activation": "linear"},
        {"kind": "residual", "filters": 8, "kernel": 3, "activation": "elu"},
        {"kind": "avgpool", "kernel": 2, "stride": 2},
        {"kind": "maxpool", "kernel": 3, "stride": 1},
        {"kind": "flatten"},
        {"kind": "dropout", "rate": 0.25},
        {"kind": "dense", "units": 64, "activation": "relu"},
    ]


def test_layers_fields_left_empty_or_off_take_the_kinds_defaults():
    raw = hash_to_raw("dataset=digits&layers= conv2d:16 ,conv2d:8::2,maxpool,dense:64:relu")
    assert raw["model"]["layers"] == [{"kind": "conv2d", "filters": 16},
                                      {"kind": "conv2d", "filters": 8, "stride": 2},
                                      {"kind": "maxpool"},
                                      {"kind": "dense", "units": 64, "activation": "relu"}]
    layers = parse_spec(raw).to_dict()["model"]["layers"]
    assert layers[0] == {"kind": "conv2d", "filters": 16, "kernel": 3, "stride": 1,
                         "padding": 0, "activation": "relu"}
    assert layers[2] == {"kind": "maxpool", "kernel": 2, "stride": 2}
    # Percent-encoded separators read the same.
    assert hash_to_raw("layers=conv2d%3A16%2Cmaxpool") == hash_to_raw("layers=conv2d:16,maxpool")


def test_layers_key_wins_over_tf_layer_keys():
    raw = hash_to_raw("activation=relu&networkShape=3,3&activations=elu,gelu&layers=dense:5:elu"
                      "&dataset=iris")
    assert raw["model"]["layers"] == [{"kind": "dense", "units": 5, "activation": "elu"}]
    # Blank, it is absent: the dataset's default net (no TF keys to fall back on).
    assert "model" not in hash_to_raw("dataset=digits&layers=")
    assert hash_to_raw("layers=&networkShape=3")["model"]["layers"] == dense((3, "tanh"))


def test_feature_keys_are_ignored_for_image_and_tabular_sets():
    for name in ("digits", "iris"):
        raw = hash_to_raw(f"dataset={name}&x=false&y=true&xTimesY=true&sinY=maybe")
        assert raw == {"data": {"dataset": name}}
        assert parse_spec(raw).to_dict()["data"]["features"] == []
    # A 2-D set (or none named) still reads them as TF does.
    assert hash_to_raw("dataset=xor&xTimesY=true")["data"]["features"] == ["x1", "x2", "x1x2"]
    assert hash_to_raw("xTimesY=true")["data"]["features"] == ["x1", "x2", "x1x2"]


def test_new_keys_decode():
    raw = hash_to_raw("augment=shift&normalize=false&task=autoencoder&bottleneck=3")
    assert raw == {"data": {"augment": "shift", "normalize": False},
                   "model": {"task": "autoencoder", "bottleneck": 3}}
    raw = hash_to_raw("normalize=no&bottleneck=2.5")
    assert raw == {"data": {"normalize": "no"}, "model": {"bottleneck": 2.5}}


def test_sequence_keys_decode():
    assert hash_to_raw("seqLength=50&clip=0.5") == {"data": {"seq_length": 50},
                                                    "training": {"clip": 0.5}}
    assert hash_to_raw("seqLength=50.0&clip=1") == {"data": {"seq_length": 50},
                                                    "training": {"clip": 1.0}}
    raw = hash_to_raw("seqLength=long&clip=lots")
    assert raw == {"data": {"seq_length": "long"}, "training": {"clip": "lots"}}
    with pytest.raises(SpecError) as err:
        parse_spec(raw)
    assert {e["path"] for e in err.value.errors} == {"data.seq_length", "training.clip"}


def test_layers_key_decodes_the_recurrent_kinds():
    raw = hash_to_raw("dataset=text&layers=embedding:24,lstm:64:2,gru:32,rnn:16:1:relu,"
                      "dense:8:tanh,dropout:0.1")
    assert raw["model"]["layers"] == [
        {"kind": "embedding", "dim": 24},
        {"kind": "lstm", "units": 64, "num_layers": 2},
        {"kind": "gru", "units": 32},
        {"kind": "rnn", "units": 16, "num_layers": 1, "activation": "relu"},
        {"kind": "dense", "units": 8, "activation": "tanh"},
        {"kind": "dropout", "rate": 0.1},
    ]
    assert raw["data"] == {"dataset": "text"}      # no input features for a sequence set


def test_malformed_layers_are_rejected_with_model_layers_paths():
    raw = hash_to_raw("dataset=digits&layers=conv2d:8:x,maxpool:2:2:9,conv3d:1,dropout:lots,"
                      "dense:64:swish")
    with pytest.raises(SpecError) as err:
        parse_spec(raw)
    errors = {e["path"]: e["message"] for e in err.value.errors}
    assert all(path.startswith("model.layers[") for path in errors), errors
    assert "'x' is not a number" in errors["model.layers[0].kernel"]
    assert "unknown field for maxpool" in errors["model.layers[1].layers=maxpool:2:2:9"]
    assert "'conv3d' is not one of" in errors["model.layers[2].kind"]
    assert "'lots' is not a number" in errors["model.layers[3].rate"]
    assert "'swish' is not one of" in errors["model.layers[4].activation"]
    # An empty layer (a stray comma) is an unknown kind, not silently dropped.
    with pytest.raises(SpecError) as err:
        parse_spec(hash_to_raw("dataset=digits&layers=flatten,,dense:8:relu"))
    assert [e["path"] for e in err.value.errors] == ["model.layers[1].kind"]


# --- encoding -------------------------------------------------------------------------------

def test_default_spec_encodes_as_a_tf_link():
    assert spec_to_hash(BASE) == (
        "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
        "&regularizationRate=0&noise=0&networkShape=4,2&seed=1&showTestData=false"
        "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
        "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
        "&problem=classification&initZero=false&hideText=false"
    )


def test_tf_link_reencodes_to_itself():
    # A link TF wrote comes back key for key once its seed is in our integer form.
    expected = TF_LINK[1:].replace("seed=0.48512", "seed=48512")
    assert spec_to_hash(parse_spec(hash_to_raw(TF_LINK)).to_dict()) == expected


@pytest.mark.parametrize("name", ALL_SPECS)
def test_keys_come_in_tf_order_then_hides_then_ours(name):
    s = normalised(name)
    keys = [k for k, _ in pairs(spec_to_hash(s))]
    assert len(keys) == len(set(keys))
    tf = [k for k in keys if k in TF_KEYS]
    hides = [k for k in keys if k.endswith("_hide")]
    ours = [k for k in keys if k in NEW_KEYS]
    assert keys == tf + hides + ours
    assert tf == [k for k in TF_KEYS if k in tf]
    assert ours == [k for k in NEW_KEYS if k in ours]
    assert hides == [f"{h}_hide" for h in HIDEABLE if f"{h}_hide" in hides]
    if DATASETS[s["data"]["dataset"]].family == "points":
        # TF writes every key of its state except a null regularization and tutorial.
        assert set(TF_KEYS) - set(tf) <= {"regularization", "tutorial"}
        assert "layers" not in keys  # 2-D nets are dense: TF's networkShape carries them


def test_our_keys_only_when_they_differ_from_the_defaults():
    assert not any(k in NEW_KEYS for k, _ in pairs(spec_to_hash(SPECS["regression multi-gauss"])))
    text = spec_to_hash(SPECS["adam, validation, early stopping"])
    assert text.endswith("&optimizer=adam&momentum=0.5&validation=20&earlyStopping=15"
                         "&trainSeed=77")


def test_values_are_compact_and_tf_spelled():
    d = dict(pairs(spec_to_hash(SPECS["L1 and TF's ladder"])))
    assert d["learningRate"] == "0.00001"
    assert d["regularization"] == "L1" and d["regularizationRate"] == "0.001"
    d = dict(pairs(spec_to_hash(spec(training={**BASE["training"],
                                               "learning_rate": 0.1 + 0.2, "momentum": 3.0}))))
    assert d["learningRate"] == "0.30000000000000004"  # exact, still round-trips
    assert d["momentum"] == "3"


def test_mixed_and_regression_specs_speak_tf():
    d = dict(pairs(spec_to_hash(SPECS["per-layer activations"])))
    assert d["activation"] == "relu" and d["activations"] == "relu,gelu,tanh"
    d = dict(pairs(spec_to_hash(SPECS["regression multi-gauss"])))
    assert (d["problem"], d["dataset"], d["regDataset"]) == ("regression", "circle", "reg-gauss")
    d = dict(pairs(spec_to_hash(SPECS["no hidden layers, zero init"])))
    assert (d["networkShape"], d["initZero"]) == ("", "true") and "init" not in d
    d = dict(pairs(spec_to_hash(SPECS["he init, all features"])))
    assert (d["initZero"], d["init"]) == ("false", "he")


def test_a_2d_spec_writes_exactly_tf_keys():
    for name in ("default", "per-layer activations", "no hidden layers, zero init"):
        keys = {k for k, _ in pairs(spec_to_hash(SPECS[name]))} - {"activations"}
        assert keys == set(TF_KEYS) - {"regularization", "tutorial"}, name
    keys = [k for k, _ in pairs(spec_to_hash(parse_spec({}).to_dict()))]
    assert keys == [k for k in TF_KEYS if k not in ("regularization", "tutorial")]


def test_layers_key_spells_every_kind():
    s = normalised("digits custom conv net")
    assert {layer["kind"] for layer in s["model"]["layers"]} == set(kinds_for("images"))
    d = dict(pairs(spec_to_hash(s)))
    assert d["layers"] == ("conv2d:8:3:1:1:relu,batchnorm:relu,residual:12:3:elu,avgpool:2:2,"
                           "conv2d:16:3:1:1:leaky_relu,maxpool:2:2,flatten,dropout:0.3,"
                           "dense:32:relu,dropout:0.05")
    # The layers key carries the net alone: no TF layer keys, no input features.
    assert not {"networkShape", "activation", "activations", "x", "y", "initZero"} & set(d)
    assert (d["init"], d["samples"], d["seed"]) == ("tf", "900", "5")
    assert "optimizer" not in d                  # adam is an image set's default


def test_layers_key_spells_the_recurrent_kinds():
    # Hand-written (encoding needs no parse of it): every kind a sequence set takes.
    layers = [{"kind": "embedding", "dim": 24}, {"kind": "rnn", "units": 16, "num_layers": 2,
                                                 "activation": "relu"},
              {"kind": "gru", "units": 32, "num_layers": 1},
              {"kind": "lstm", "units": 64, "num_layers": 3},
              {"kind": "dropout", "rate": 0.2}, {"kind": "dense", "units": 8,
                                                  "activation": "tanh"}]
    assert {layer["kind"] for layer in layers} == set(kinds_for("sequences"))
    s = spec(data={**BASE["data"], "dataset": "text", "classes": 31, "features": [],
                   "seq_length": 40},
             model=model(layers, "he"), training={**BASE["training"], "clip": 5.0})
    d = dict(pairs(spec_to_hash(s)))
    assert d["layers"] == "embedding:24,rnn:16:2:relu,gru:32:1,lstm:64:3,dropout:0.2,dense:8:tanh"
    assert (d["seqLength"], d["clip"]) == ("40", "5")
    assert not {"networkShape", "activation", "activations", "x", "y", "initZero"} & set(d)
    assert hash_to_raw(spec_to_hash(s))["model"]["layers"] == layers


def test_sequence_keys_are_omitted_at_their_defaults_on_2d_specs():
    keys = {k for k, _ in pairs(spec_to_hash(BASE))}
    assert not {"seqLength", "clip"} & keys
    d = dict(pairs(spec_to_hash(SPECS["gradient clipping"])))
    assert d["clip"] == "0.5" and "seqLength" not in d


def test_sequence_keys_only_where_they_differ_from_the_datasets_defaults():
    ours = {"seqLength", "clip", "layers", "networkShape", "activation", "activations",
            "initZero", "x", "y", "classes", "samples", "init", "loss"}

    def written(name):
        return {k: v for k, v in pairs(spec_to_hash(normalised(name))) if k in ours}

    # The default net, loss, init, samples and (text: its characters') classes are implied.
    assert written("sine-wave default") == {}
    assert written("parity-count default") == {}
    assert written("two-sines, long, noisy, clipped, stacked gru") == {
        "seqLength": "50", "clip": "1", "layers": "gru:32:2"}
    assert written("recall, plain rnn, long") == {
        "seqLength": "100", "clip": "0.5", "layers": "rnn:24:1:relu"}
    assert written("text, embedding and lstm stack") == {
        "seqLength": "40", "layers": "embedding:24,lstm:48:2"}


def test_image_and_tabular_keys_only_where_they_differ_from_the_datasets_defaults():
    ours = set(NEW_KEYS) | {"networkShape", "activation", "activations", "initZero", "x", "y"}

    def written(name):
        return {k: v for k, v in pairs(spec_to_hash(normalised(name))) if k in ours}

    # The default LeNet, he init, cross-entropy, 10 classes, 1797 samples: all implied.
    assert written("digits default (LeNet)") == {}
    assert written("digits, init tf") == {"init": "tf"}
    assert written("shapes, augment shift") == {"augment": "shift"}
    assert written("mnist, normalize false") == {"normalize": "false"}
    assert written("digits autoencoder, bottleneck 3") == {"task": "autoencoder",
                                                           "bottleneck": "3"}
    # A dense net keeps TF's form, wherever it runs.
    assert written("iris, dense net, init tf") == {
        "activation": "relu", "networkShape": "16,8", "init": "tf", "activations": "relu,tanh"}
    assert written("iris, dropout and batchnorm") == {
        "layers": "dense:16:relu,batchnorm:linear,dropout:0.5"}
    # A 2-D set's loss default follows its classes: 4 classes imply cross-entropy.
    d = dict(pairs(spec_to_hash(SPECS["multi-class cross-entropy"])))
    assert d["classes"] == "4" and d["samples"] == "800" and "loss" not in d


# --- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_SPECS)
def test_decode_of_encode_gives_back_the_same_fields(name):
    s = normalised(name)
    raw = hash_to_raw(spec_to_hash(s))
    given = dict(leaves(raw))
    full = dict(leaves(s))
    for path, value in given.items():
        assert full[path] == value, path
    # What the hash left out is what the parser fills in for this dataset and task; the
    # menu's activation, left out, is the first hidden layer's.
    defaults = dict(leaves(parsed_defaults(s)))
    defaults["model.activation"] = next((layer["activation"] for layer in s["model"]["layers"]
                                         if layer["kind"] == "dense"), "tanh")
    for path in set(full) - set(given) - {"version"}:
        assert full[path] == defaults[path], path


@pytest.mark.parametrize("name", ALL_SPECS)
def test_parse_of_decode_of_encode_is_identity(name):
    s = normalised(name)
    if name in SPECS:
        assert parse_spec(s).to_dict() == s  # the hand-written spec is normalised
    assert parse_spec(hash_to_raw(spec_to_hash(s))).to_dict() == s


def test_exports():
    assert TF_KEYS[:3] == ("activation", "regularization", "batchSize")
    assert TF_KEYS[-3:] == ("problem", "initZero", "hideText")
    assert len(HIDEABLE) == 24 and HIDEABLE[0] == "showTestData" and "sinY" in HIDEABLE
    assert NEW_KEYS == ("optimizer", "loss", "momentum", "classes", "samples", "validation",
                        "earlyStopping", "clip", "init", "trainSeed", "activations", "augment",
                        "flip", "rotate", "scale", "inputNoise", "schedule", "scheduleEpochs",
                        "gamma", "warmup", "weightDecay", "labelSmoothing",
                        "normalize", "seqLength", "task", "bottleneck", "layers", "speed",
                        "sameStart", "presenter", "points", "text", "upload")


def test_a_tf_link_with_no_hidden_layer_keeps_its_activation_for_new_layers():
    """TF Playground keeps the Activation menu's choice with no hidden layer; "+" then adds a
    layer of it. Ours is model.activation, and the link writes it back."""
    spec = parse_spec(hash_to_raw("#activation=relu&networkShape=&dataset=xor"))
    assert spec.model.layers == () and spec.model.activation == "relu"
    assert dict(pairs(spec_to_hash(spec.to_dict())))["activation"] == "relu"
    with_layers = parse_spec(hash_to_raw("#activation=sigmoid&networkShape=3"))
    assert with_layers.model.activation == "sigmoid"
    assert [layer.activation for layer in with_layers.model.layers] == ["sigmoid"]


def test_speed_and_same_start_travel_in_the_link_and_tf_links_play_at_tf_pace():
    assert parse_spec(hash_to_raw(TF_LINK)).training.speed == 60
    spec = parse_spec(hash_to_raw("#speed=5&sameStart=true"))
    assert (spec.training.speed, spec.training.same_start) == (5, True)
    written = dict(pairs(spec_to_hash(spec.to_dict())))
    assert (written["speed"], written["sameStart"]) == ("5", "true")
    assert "speed" not in dict(pairs(spec_to_hash(parse_spec({}).to_dict())))
    with pytest.raises(SpecError) as error:
        parse_spec(hash_to_raw("#speed=fast"))
    assert error.value.errors[0]["path"] == "training.speed"


@pytest.mark.parametrize("text, path", [
    ("seed=1e308", "data.seed"),
    ("samples=" + "9" * 5000, "data.samples"),
    ("batchSize=" + "9" * 70, "training.batch_size"),
    ("trainSeed=" + "9" * 5000, "training.seed"),
    ("networkShape=" + "9" * 5000, "model.layers[0].units"),
], ids=["1e308 seed", "5000-digit samples", "70-digit batch", "5000-digit seed", "huge units"])
def test_numbers_too_large_for_any_field_are_refused_naming_it(text, path):
    with pytest.raises(SpecError) as info:
        parse_spec(hash_to_raw(text))
    errors = {e["path"]: e["message"] for e in info.value.errors}
    assert path in errors and len(errors[path]) < 300, errors
