"""Accept/reject table for the experiment spec: every error names its path and range."""
import pytest

from engine.spec.fields import MAX_POINT_LAYERS
from engine.spec.parse import default_spec, parse_spec
from engine.spec.schema import schema
from engine.spec.types import SpecError


def errors_of(raw):
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    return info.value.errors


def test_defaults_match_tf_playground():
    s = default_spec()
    assert s.data.dataset == "circle" and s.data.samples == 500 and s.data.train_ratio == 50
    assert [(l.units, l.activation) for l in s.model.layers] == [(4, "tanh"), (2, "tanh")]
    assert s.training.learning_rate == 0.03 and s.training.batch_size == 10
    assert s.data.features == ("x1", "x2") and s.training.loss == "mse"


def test_regression_default_samples_and_problem():
    s = parse_spec({"data": {"dataset": "plane"}})
    assert s.data.problem == "regression" and s.data.samples == 1200 and s.data.n_classes == 0


@pytest.mark.parametrize("raw, path, words", [
    ({"training": {"batch_size": 0}}, "training.batch_size", "0 is below the minimum 1"),
    ({"training": {"batch_size": 1001}}, "training.batch_size", "above the maximum 1000"),
    ({"training": {"batch_size": 2.5}}, "training.batch_size", "not a whole number"),
    ({"training": {"learning_rate": "abc"}}, "training.learning_rate", "not a number"),
    ({"training": {"learning_rate": float("nan")}}, "training.learning_rate", "finite"),
    ({"training": {"learning_rate": 11}}, "training.learning_rate", "above the maximum 10"),
    ({"training": {"optimizer": "lbfgs"}}, "training.optimizer", "not one of sgd"),
    ({"data": {"dataset": "mnist2"}}, "data.dataset", "not one of circle"),
    ({"data": {"noise": 55}}, "data.noise", "above the maximum 50"),
    ({"data": {"train_ratio": 5}}, "data.train_ratio", "below the minimum 10"),
    ({"data": {"features": []}}, "data.features", "at least one"),
    ({"data": {"features": ["x3"]}}, "data.features", "unknown feature x3"),
    ({"data": {"dataset": "sine", "features": ["x1", "x2"]}}, "data.features", "1-D"),
    ({"data": {"dataset": "xor", "classes": 3}}, "data.classes", "maximum 2 for xor"),
    ({"data": {"dataset": "spiral", "classes": 3}, "training": {"loss": "mse"}}, "training.loss",
     "use cross_entropy"),
    ({"data": {"dataset": "plane"}, "training": {"loss": "cross_entropy"}}, "training.loss",
     "regression"),
    ({"training": {"early_stopping": 5}}, "training.early_stopping", "validation"),
    ({"model": {"layers": [{"units": 17}]}}, "model.layers[0].units", "above the maximum 16"),
    ({"model": {"layers": [{"units": 0}]}}, "model.layers[0].units", "below the minimum 1"),
    ({"model": {"layers": [{"activation": "swish"}]}}, "model.layers[0].activation", "not one of"),
    ({"model": {"layers": [{"kind": "conv9"}]}}, "model.layers[0].kind", "not one of"),
    ({"model": {"layers": [{"units": 2}] * (MAX_POINT_LAYERS + 1)}}, "model.layers", "maximum 8"),
    ({"model": {"layers": [{"units": 2, "size": 3}]}}, "model.layers[0].size", "unknown field"),
    ({"model": {"layers": [{"kind": "conv2d"}]}}, "model.layers[0].kind", "needs image data"),
    ({"model": {"layers": [{"kind": "dropout", "rate": 0.95}]}}, "model.layers[0].rate",
     "above the maximum 0.9"),
    ({"model": {"task": "autoencoder"}}, "model.task", "image or tabular"),
    ({"data": {"augment": "shift"}}, "data.augment", "needs image data"),
    ({"data": {"samples": 6000}}, "data.samples", "maximum 5000 for 2-D"),
    ({"training": {"lr": 0.1}}, "training.lr", "unknown field"),
    ({"extra": 1}, "extra", "unknown section"),
    ({"version": 9}, "version", "not supported"),
    ({"view": {"hidden": ["nope"]}}, "view.hidden", "unknown control nope"),
    ({"view": {"discretize": "yes"}}, "view.discretize", "true or false"),
])
def test_rejections_name_path_and_range(raw, path, words):
    errs = errors_of(raw)
    match = [e for e in errs if e["path"] == path]
    assert match, errs
    assert match[0]["message"].startswith(f"{path}: ") and words in match[0]["message"]


def test_all_errors_reported_together():
    errs = errors_of({"training": {"batch_size": 0, "learning_rate": -1}, "data": {"noise": 99}})
    assert {e["path"] for e in errs} == {"training.batch_size", "training.learning_rate",
                                         "data.noise"}


def test_not_an_object():
    assert errors_of([1, 2])[0]["message"] == "spec must be a JSON object"


def test_features_and_hidden_are_canonically_ordered():
    s = parse_spec({"data": {"features": ["sinx1", "x2", "x1"]},
                    "view": {"hidden": ["noise", "learningRate"]}})
    assert s.data.features == ("x1", "x2", "sinx1")
    assert s.view.hidden == ("learningRate", "noise")


def test_round_trip_through_dict_is_identity():
    s = parse_spec({"data": {"dataset": "spiral", "classes": 3, "validation_ratio": 20},
                    "training": {"loss": "cross_entropy", "optimizer": "adam",
                                 "early_stopping": 10},
                    "model": {"layers": [{"units": 8, "activation": "relu"}]}})
    assert parse_spec(s.to_dict()) == s


def test_live_fields_do_not_change_structure():
    s = default_spec()
    t = s.with_training(learning_rate=0.3, batch_size=3, regularization="L2")
    assert t.structure() == s.structure()
    assert s.with_training(optimizer="adam").structure() != s.structure()


def test_schema_describes_every_field_once():
    sch = schema()
    bs = sch["fields"]["training.batch_size"]
    assert (bs["min"], bs["max"], bs["live"]) == (1, 1000, True)
    assert sch["defaults"] == default_spec().to_dict()
    assert {d["name"] for d in sch["datasets"]} >= {"circle", "xor", "gauss", "spiral", "moons",
                                                     "checkerboard", "plane", "multi-gauss", "sine"}


# ---- schedules, optimisers, smoothing, augmentation, held-out splits ---------------------------

@pytest.mark.parametrize("raw,path,text", [
    ({"training": {"label_smoothing": 0.1}}, "training.label_smoothing", "needs the cross_entropy"),
    ({"training": {"schedule": "linear"}}, "training.schedule", "is not one of constant"),
    ({"training": {"warmup": -1}}, "training.warmup", "below the minimum 0"),
    ({"training": {"weight_decay": 2}}, "training.weight_decay", "above the maximum 1"),
    ({"data": {"dataset": "iris", "flip": True}}, "data.flip", "needs image data"),
    ({"data": {"dataset": "circle", "input_noise": 0.1}}, "data.input_noise",
     "needs image or table data"),
    ({"data": {"dataset": "digits", "rotate": 10}, "model": {"task": "autoencoder"}},
     "data.rotate", "autoencoder"),
    ({"data": {"dataset": "text", "seq_length": 200, "train_ratio": 10,
               "validation_ratio": 50}}, "data.seq_length", "a part of the split text"),
])
def test_new_fields_are_checked_with_their_path(raw, path, text):
    with pytest.raises(SpecError) as err:
        parse_spec(raw)
    messages = {e["path"]: e["message"] for e in err.value.errors}
    assert path in messages and text in messages[path], messages


def test_new_fields_parse_and_mnist_keeps_its_files_split():
    spec = parse_spec({"data": {"dataset": "fashion-mnist", "flip": True, "rotate": 10,
                                "scale": 10, "input_noise": 0.1, "train_ratio": 80},
                       "training": {"optimizer": "adamw", "weight_decay": 0.05,
                                    "schedule": "one_cycle", "schedule_epochs": 30,
                                    "warmup": 2, "label_smoothing": 0.1}})
    assert (spec.data.flip, spec.data.rotate, spec.data.scale, spec.data.input_noise) == (
        True, 10, 10, 0.1)
    assert spec.data.train_ratio == 50            # ignored: the files hold their own split
    assert spec.training.optimizer == "adamw" and spec.training.schedule == "one_cycle"
    assert parse_spec(spec.to_dict()) == spec
# ---- what a hostile or careless client may send ---------------------------------------------

@pytest.mark.parametrize("version", [True, 1.0, "1", 2, None, [1]], ids=repr)
def test_the_version_is_exactly_the_integer_1(version):
    raw = {"version": version} if version is not None else {"version": None}
    errors = {e["path"]: e["message"] for e in errors_of(raw)}
    assert list(errors) == ["version"] and "the integer 1" in errors["version"]


@pytest.mark.parametrize("raw, path", [
    ({"data": {"samples": 10 ** 5000}}, "data.samples"),
    ({"data": {"dataset": "x" * 100_000}}, "data.dataset"),
    ({"data": {"features": ["f" * 5000] * 500}}, "data.features"),
    ({"model": {"layers": [{"kind": "dense", "units": [[[[[[1]]]]]]}]}}, "model.layers[0].units"),
    ({"training": {"seed": -10 ** 70}}, "training.seed"),
], ids=["5000-digit int", "100 KB name", "500 long names", "nested list", "70-digit int"])
def test_a_refusal_quotes_a_value_briefly(raw, path):
    errors = {e["path"]: e["message"] for e in errors_of(raw)}
    assert path in errors and len(errors[path]) < 400, errors


def test_ten_thousand_unknown_keys_give_a_bounded_answer():
    errors = errors_of({"data": {f"k{i}" * 50: 1 for i in range(10_000)}})
    assert 1 <= len(errors) <= 20
    assert all(e["path"].startswith("data.k0") or len(e["path"]) < 60 for e in errors)
