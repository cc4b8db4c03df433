"""What ``compile()`` makes of its ``loss``, ``loss_weights``, ``metrics`` and ``weighted_metrics``.

``CompileLoss`` and ``CompileMetrics`` follow Keras 3.15's ``trainers/compile_utils.py``: both
resolve their user arguments lazily, on the first batch, because a single loss or metric applies
to every output and the string ``"accuracy"`` (``"acc"``) means Binary-, SparseCategorical- or
CategoricalAccuracy depending on the shapes of ``y_true`` and ``y_pred`` (``"crossentropy"`` /
``"ce"`` likewise pick a cross-entropy loss). Per-output arguments are lists in output order or
dicts keyed by output name; with several losses each output's unweighted loss is tracked by a
``Mean`` named ``"<output>_loss"``.
"""

from ...ops import keras_names as ops
from .. import backend
from .. import losses as losses_module
from .. import metrics as metrics_module
from ..symbolic import KerasTensor, flatten
from ..tree import (assert_same_structure, is_nested, lists_to_tuples, map_structure,
                    map_structure_up_to, pack_sequence_as)


def get_object_name(obj):
    """Keras's naming of a metric or loss object: its ``name``, else its snake-cased name."""
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return backend.to_snake_case(obj.__name__)
    if hasattr(obj, "__class__"):
        return backend.to_snake_case(obj.__class__.__name__)
    return backend.to_snake_case(str(obj))


def _lookup(module, identifier, what, shortcuts=()):
    """``module.get(identifier)``; an unknown name's error lists the names that exist."""
    try:
        return module.get(identifier)
    except ValueError as exc:
        names = getattr(module, "ALL_OBJECTS_DICT", None)
        if not isinstance(identifier, str) or not names or "Valid" in str(exc):
            raise
        valid = sorted(set(names) | set(shortcuts))
        raise ValueError(f"{exc}. Unknown {what} name '{identifier}'; valid {what} names are: "
                         f"{', '.join(valid)}") from None


# -- metrics ---------------------------------------------------------------------------------
class MetricsList(metrics_module.Metric):
    """The metrics of one output, updated together."""

    def __init__(self, metrics, name="metrics_list", output_name=None):
        super().__init__(name=name)
        self.metrics = metrics
        self.output_name = output_name

    def update_state(self, y_true, y_pred, sample_weight=None):
        for m in self.metrics:
            m.update_state(y_true, y_pred, sample_weight=sample_weight)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self):
        return {m.name: m.result() for m in self.metrics}

    get_result = result

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        raise NotImplementedError


def is_binary_or_sparse_categorical(y_true, y_pred):
    """Keras's shape rule: a last output dimension of 1 is binary; labels of lower rank than the
    predictions (or with a last dimension of 1 against several classes) are sparse."""
    y_t_rank, y_p_rank = len(y_true.shape), len(y_pred.shape)
    y_t_last = y_true.shape[-1] if y_t_rank else None
    y_p_last = y_pred.shape[-1] if y_p_rank else None
    is_binary = y_p_last == 1
    is_sparse_categorical = y_t_rank < y_p_rank or (y_t_last == 1 and y_p_last is not None
                                                    and y_p_last > 1)
    return is_binary, is_sparse_categorical


def get_metric(identifier, y_true, y_pred):
    """The Metric object for one entry of ``metrics`` (strings, Metric objects, functions)."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() not in ("accuracy", "acc"):
        metric_obj = _lookup(metrics_module, identifier, "metric", ("acc", "accuracy"))
    else:
        is_binary, is_sparse_categorical = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric_obj = metrics_module.BinaryAccuracy(name=str(identifier))
        elif is_sparse_categorical:
            metric_obj = metrics_module.SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric_obj = metrics_module.CategoricalAccuracy(name=str(identifier))
    metric_name = identifier if isinstance(identifier, str) else get_object_name(metric_obj)
    if not isinstance(metric_obj, metrics_module.Metric):
        metric_obj = metrics_module.MeanMetricWrapper(metric_obj)
    metric_obj.name = metric_name
    return metric_obj


def get_metrics_list(metrics, y_true, y_pred, output_name=None):
    if metrics is None:
        return None
    if not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    return MetricsList([get_metric(m, y_true, y_pred) for m in metrics], output_name=output_name)


class CompileMetrics(metrics_module.Metric):
    """The ``metrics`` and ``weighted_metrics`` of ``compile()`` as one Metric whose result is a
    dict ``{name: value}`` (output-prefixed for multi-output models)."""

    def __init__(self, metrics, weighted_metrics, name="compile_metric", output_names=None):
        super().__init__(name=name)
        if metrics and not isinstance(metrics, (list, tuple, dict)):
            raise ValueError("Expected `metrics` argument to be a list, tuple, or dict. "
                             f"Received instead: metrics={metrics} of type {type(metrics)}")
        if weighted_metrics and not isinstance(weighted_metrics, (list, tuple, dict)):
            raise ValueError("Expected `weighted_metrics` argument to be a list, tuple, or dict. "
                             f"Received instead: weighted_metrics={weighted_metrics} of type "
                             f"{type(weighted_metrics)}")
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.built = False
        self.name = "compile_metrics"
        self.output_names = output_names
        self._flat_metrics = []
        self._flat_weighted_metrics = []
        self._resolved_output_names = None

    @property
    def metrics(self):
        if not self.built:
            return []
        out = []
        for m in self._flat_metrics + self._flat_weighted_metrics:
            if isinstance(m, MetricsList):
                out.extend(m.metrics)
            elif m is not None:
                out.append(m)
        return out

    @property
    def variables(self):
        if not self.built:
            return []
        return [v for m in self.metrics for v in m.variables]

    def build(self, y_true, y_pred):
        num_outputs = len(flatten(y_pred))
        y_pred_is_flat = is_nested(y_pred) and len(y_pred) == num_outputs
        if y_pred_is_flat and isinstance(y_pred, dict):
            if self.output_names and set(y_pred) == set(self.output_names):
                output_names = self.output_names
            else:
                output_names = sorted(y_pred)
        else:
            output_names = self.output_names
        self._resolved_output_names = (output_names if num_outputs > 1 and y_pred_is_flat
                                       else None)
        self._flat_metrics = self._build_metrics_set(
            self._user_metrics, num_outputs, output_names, y_true, y_pred, y_pred_is_flat,
            argument_name="metrics")
        self._flat_weighted_metrics = self._build_metrics_set(
            self._user_weighted_metrics, num_outputs, output_names, y_true, y_pred,
            y_pred_is_flat, argument_name="weighted_metrics")
        self.built = True

    def _build_metrics_set(self, metrics, num_outputs, output_names, y_true, y_pred,
                           y_pred_is_flat, argument_name):
        if not metrics:
            return [None] * num_outputs
        if num_outputs == 1:
            return [get_metrics_list(flatten(metrics), flatten(y_true)[0], flatten(y_pred)[0])]
        flat_metrics = None
        if y_pred_is_flat:
            if isinstance(metrics, (list, tuple)) and len(metrics) == num_outputs:
                flat_metrics = metrics
            elif (output_names and isinstance(metrics, dict) and len(metrics) <= num_outputs
                  and set(metrics) <= set(output_names)):
                flat_metrics = [metrics.get(name) for name in output_names]
        if flat_metrics is not None:
            try:
                return [get_metrics_list(m, yt, yp, n) for m, yt, yp, n in zip(
                    flat_metrics, self._flatten_y(y_true), self._flatten_y(y_pred),
                    output_names if output_names else [None] * num_outputs)]
            except ValueError as e:
                raise ValueError(f"{e}\nReceived: {argument_name}={metrics}") from e
        try:
            tuples_y_pred = lists_to_tuples(y_pred)
            names = pack_sequence_as(tuples_y_pred,
                                     output_names if output_names else [None] * num_outputs)
            return flatten(map_structure_up_to(tuples_y_pred, get_metrics_list,
                                               lists_to_tuples(metrics), lists_to_tuples(y_true),
                                               tuples_y_pred, names))
        except (ValueError, TypeError, KeyError) as e:
            shape = map_structure(lambda _: "X", y_pred)
            names = (f"the output names of the functional model {self.output_names} or "
                     if self.output_names else "")
            raise ValueError(
                f"{e}\nInvalid `{argument_name}`. `{argument_name}` should contain metrics "
                f"objects and either be a dict or a list matching {names}the output structure "
                f"of the model: {shape}.\nReceived: {argument_name}={metrics}") from e

    def _flatten_y(self, y):
        if isinstance(y, dict) and self._resolved_output_names is not None:
            return [y[name] for name in self._resolved_output_names]
        return flatten(y)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        y_true = self._flatten_y(y_true)
        y_pred = self._flatten_y(y_pred)
        for m, y_t, y_p in zip(self._flat_metrics, y_true, y_pred):
            if m:
                m.update_state(y_t, y_p)
        if sample_weight is not None:
            sample_weight = self._flatten_y(sample_weight)
            if len(sample_weight) < len(y_true):   # one weight for every output
                sample_weight = [sample_weight[0]] * len(y_true)
        else:
            sample_weight = [None] * len(y_true)
        for m, y_t, y_p, s_w in zip(self._flat_weighted_metrics, y_true, y_pred, sample_weight):
            if m:
                m.update_state(y_t, y_p, s_w)

    def reset_state(self):
        if not self.built:
            return
        for m in self._flat_metrics + self._flat_weighted_metrics:
            if m:
                m.reset_state()

    def result(self):
        if not self.built:
            raise ValueError("Cannot get result() since the metric has not yet been built.")
        results = {}
        counters = {}
        for mls in self._flat_metrics:
            if not mls:
                continue
            for m in mls.metrics:
                name = f"{mls.output_name}_{m.name}" if mls.output_name else m.name
                if name not in counters:
                    counters[name] = 1
                else:
                    index = counters[name]
                    counters[name] += 1
                    name = f"{name}_{index}"
                results[name] = m.result()
        for mls in self._flat_weighted_metrics:
            if not mls:
                continue
            for m in mls.metrics:
                name = f"{mls.output_name}_{m.name}" if mls.output_name else m.name
                if name not in counters:
                    counters[name] = 1
                else:
                    name = f"weighted_{m.name}"
                    if mls.output_name:
                        name = f"{mls.output_name}_{name}"
                    if name not in counters:
                        counters[name] = 1
                    else:
                        index = counters[name]
                        counters[name] += 1
                        name = f"{name}_{index}"
                results[name] = m.result()
        return results

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        raise NotImplementedError


# -- losses ----------------------------------------------------------------------------------
def get_loss(identifier, y_true, y_pred):
    """The Loss object for one entry of ``loss`` (None: this output has no loss)."""
    if identifier is None:
        return None
    if str(identifier).lower() not in ("crossentropy", "ce"):
        loss_obj = _lookup(losses_module, identifier, "loss", ("ce", "crossentropy"))
    else:
        is_binary, is_sparse_categorical = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            loss_obj = losses_module.binary_crossentropy
        elif is_sparse_categorical:
            loss_obj = losses_module.sparse_categorical_crossentropy
        else:
            loss_obj = losses_module.categorical_crossentropy
    if not isinstance(loss_obj, losses_module.Loss):
        name = identifier if isinstance(identifier, str) else get_object_name(loss_obj)
        loss_obj = losses_module.LossFunctionWrapper(loss_obj, name=name)
    return loss_obj


class _FlatLoss(tuple):
    """(path, loss, loss_weights, name): one resolved loss and where its output is."""

    __slots__ = ()

    def __new__(cls, path, loss, loss_weights, name):
        return super().__new__(cls, (path, loss, loss_weights, name))

    path = property(lambda self: self[0])
    loss = property(lambda self: self[1])
    loss_weights = property(lambda self: self[2])
    name = property(lambda self: self[3])


class _WeightedLoss:
    """A loss and its weight, kept together as one leaf while structures are matched."""

    def __new__(cls, loss, weight):
        if loss is None:
            return None
        return object.__new__(cls)

    def __init__(self, loss, weight):
        self.loss = loss
        self.weight = weight


class CompileLoss(losses_module.Loss):
    """The ``loss`` and ``loss_weights`` of ``compile()``: the weighted sum of each output's
    loss, the unweighted ones tracked per output when there are several."""

    Loss = _FlatLoss

    def __init__(self, loss, loss_weights=None, reduction="sum_over_batch_size",
                 output_names=None):
        if loss_weights and not isinstance(loss_weights, (list, tuple, dict, float)):
            raise ValueError("Expected `loss_weights` argument to be a float (single output "
                             "case) or a list, tuple, or dict (multiple output case). Received "
                             f"instead: loss_weights={loss_weights} of type {type(loss_weights)}")
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.built = False
        self.output_names = output_names
        super().__init__(name="compile_loss", reduction=reduction)
        self._metrics = []
        self._flat_losses = None
        self._y_pred_build_structure = None
        self._y_true_build_structure = None

    @property
    def metrics(self):
        return self._metrics

    @property
    def variables(self):
        return [v for m in self._metrics for v in m.variables]

    def _build_nested(self, y_true, y_pred, loss, output_names, current_path):
        flat_y_pred = flatten(y_pred)
        if not is_nested(loss):
            if loss.loss is None:
                return
            resolved = get_loss(loss.loss, y_true, y_pred)
            name_path = current_path
            if not is_nested(output_names):
                output_name = output_names if output_names is not None else resolved.name
                if len(name_path) == 0:
                    name_path = (output_name,)
                elif isinstance(name_path[-1], int):
                    name_path = name_path[:-1] + (output_name,)
            name = "/".join(str(p) for p in name_path)
            if name == "":
                flat_names = (list(output_names) if isinstance(output_names, dict)
                              else flatten(output_names))
                name = "_".join(str(n) for n in flat_names)
            self._flat_losses.append(_FlatLoss(current_path, resolved, loss.weight, name))
            return
        if (isinstance(loss, (list, tuple)) and all(not is_nested(v) for v in loss)
                and len(loss) == len(flat_y_pred)):
            loss = pack_sequence_as(y_pred, loss)
        elif isinstance(loss, (list, tuple)) and not isinstance(y_pred, type(loss)):
            for item in loss:
                self._build_nested(y_true, y_pred, item, output_names, current_path)
            return
        if not is_nested(loss):
            return self._build_nested(y_true, y_pred, loss, output_names, current_path)
        if not isinstance(loss, type(y_pred)):
            raise KeyError(f"The path: {current_path} in the `loss` argument, can't be found in "
                           "the model's output (`y_pred`).")
        if isinstance(loss, dict):
            items = loss.items()

            def has_key(key, objs):
                return all(isinstance(o, dict) and key in o for o in objs)
        else:
            items = enumerate(loss)

            def has_key(key, objs):
                return all(isinstance(o, (list, tuple)) and key < len(o) for o in objs)
        for key, item in items:
            if item is None:
                continue
            if not has_key(key, (y_true, y_pred)):
                raise KeyError(f"The path: {current_path + (key,)} in the `loss` argument, "
                               "can't be found in either the model's output (`y_pred`) or in "
                               "the labels (`y_true`).")
            self._build_nested(y_true[key], y_pred[key], item, output_names[key],
                               current_path + (key,))

    def build(self, y_true, y_pred):
        loss = self._user_loss
        loss_weights = self._user_loss_weights
        flat_output_names = self.output_names
        if self.output_names and isinstance(loss, dict) and not isinstance(y_pred, dict):
            if set(self.output_names) == set(loss):
                loss = [loss[name] for name in self.output_names]
                if isinstance(loss_weights, dict):
                    loss_weights = [loss_weights[name] for name in self.output_names]
            else:
                raise ValueError(f"Expected keys {self.output_names} in loss dict, but found "
                                 f"loss.keys()={list(self._user_loss.keys())}")
        if loss_weights is not None:
            try:
                assert_same_structure(loss, loss_weights)
            except ValueError:
                flat_weights = flatten(loss_weights)
                if len(flatten(loss)) != len(flat_weights):
                    raise ValueError(f"`loss_weights` must match the number of losses, got "
                                     f"{len(flatten(loss))} losses and {len(loss_weights)} "
                                     "weights.") from None
                loss_weights = pack_sequence_as(loss, flat_weights)
            loss = map_structure(_WeightedLoss, loss, loss_weights)
        else:
            loss = map_structure(lambda item: _WeightedLoss(item, None), loss)
        self._flat_losses = []
        names = flat_output_names or []
        if (isinstance(loss, dict) and isinstance(y_pred, (list, tuple))
                and set(loss) == set(names) and len(y_pred) == len(names)):
            y_pred = dict(zip(names, y_pred))
            y_true = dict(zip(names, y_true))
        elif (isinstance(loss, dict) and not is_nested(y_pred) and set(loss) == set(names)
              and len(names) == 1):
            y_pred = {names[0]: y_pred}
            y_true = {names[0]: y_true}
        try:
            output_names = pack_sequence_as(y_pred, flat_output_names)
        except (ValueError, TypeError):
            output_names = pack_sequence_as(y_pred, self._get_y_pred_output_names(y_pred))
        if not is_nested(loss):
            single = loss
            loss = map_structure(lambda _: single, y_pred)
        self._build_nested(y_true, y_pred, loss, output_names, ())
        if len(self._flat_losses) > 1:
            for flat_loss in self._flat_losses:
                self._metrics.append(metrics_module.Mean(name=f"{flat_loss.name}_loss"))
        self._y_pred_build_structure = map_structure(lambda _: None, y_pred)
        self._y_true_build_structure = map_structure(lambda _: None, y_true)
        self.built = True

    def _get_y_pred_output_names(self, y_pred):
        flat = flatten(y_pred)
        if all(isinstance(x, KerasTensor) for x in flat):
            return [t._keras_history[0].name if t._keras_history else t.name for t in flat]
        return [None] * len(flat)

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self.call(y_true, y_pred, sample_weight)

    def call(self, y_true, y_pred, sample_weight=None):
        def resolve_path(path, obj):
            for key in path:
                obj = obj[key]
            return obj

        if not is_nested(y_true) and not is_nested(y_pred):
            # Fast path: one output.
            if not self.built:
                self.build(y_true, y_pred)
            path, loss_fn, loss_weight, _ = self._flat_losses[0]
            y_t, y_p = resolve_path(path, y_true), resolve_path(path, y_pred)
            sw = resolve_path(path, sample_weight) if is_nested(sample_weight) else sample_weight
            value = ops.cast(loss_fn(y_t, y_p, sw), self.dtype)
            if loss_weight is not None:
                value = ops.multiply(value, loss_weight)
            return value

        y_true = self._match_y_true(y_true, y_pred)
        if not self.built:
            self.build(y_true, y_pred)
        try:
            assert_same_structure(self._y_pred_build_structure, y_pred)
        except ValueError:
            y_pred = pack_sequence_as(self._y_pred_build_structure, flatten(y_pred))
        try:
            assert_same_structure(self._y_true_build_structure, y_true)
        except ValueError:
            y_true = pack_sequence_as(self._y_true_build_structure, flatten(y_true))

        trackers = self._metrics or [None] * len(self._flat_losses)
        loss_values = []
        for (path, loss_fn, loss_weight, _), tracker in zip(self._flat_losses, trackers):
            y_t, y_p = resolve_path(path, y_true), resolve_path(path, y_pred)
            sw = resolve_path(path, sample_weight) if is_nested(sample_weight) else sample_weight
            value = ops.cast(loss_fn(y_t, y_p, sw), self.dtype)
            if tracker is not None:   # the unweighted loss of each output
                tracker.update_state(value, sample_weight=flatten(y_p)[0].shape[0])
            if loss_weight is not None:
                value = ops.multiply(value, loss_weight)
            loss_values.append(value)
        if not loss_values:
            return None
        total = loss_values[0]
        for value in loss_values[1:]:
            total = total + value
        return total

    def _match_y_true(self, y_true, y_pred):
        """``y_true`` in the structure of ``y_pred`` when it holds the same leaves otherwise
        (a list for a dict of outputs, a tuple for a list, a leaf for a one-output list ...)."""
        try:
            assert_same_structure(y_pred, y_true)
            return y_true
        except ValueError:
            pass
        if not is_nested(y_true) and hasattr(y_pred, "__len__") and len(y_pred) == 1:
            y_true = [y_true]
        elif isinstance(y_pred, (list, tuple)) and isinstance(y_true, dict):
            if self.output_names and set(self.output_names) == set(y_true):
                y_true = [y_true[name] for name in self.output_names]
        try:
            return pack_sequence_as(y_pred, flatten(y_true) if is_nested(y_true) else [y_true])
        except (ValueError, TypeError):
            pass
        try:
            flat_y_true = flatten(y_true)
            flat_loss = flatten(self._user_loss)
            present = [i for i, item in enumerate(flat_loss) if item is not None]
            if len(flat_y_true) != len(present):
                raise ValueError
            filled = [None] * len(flat_loss)
            for y_t, i in zip(flat_y_true, present):
                filled[i] = y_t
            return pack_sequence_as(self._user_loss, filled)
        except (ValueError, TypeError):
            y_true_struct = map_structure(lambda _: "*", y_true)
            y_pred_struct = map_structure(lambda _: "*", y_pred)
            raise ValueError("y_true and y_pred have different structures.\n"
                             f"y_true: {y_true_struct}\ny_pred: {y_pred_struct}\n") from None

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        raise NotImplementedError
