"""The Keras 3 training engine: ``compile`` / ``fit`` / ``evaluate`` / ``predict`` and the steps.

``Trainer`` is a mixin of ``keras.Model`` (``class Model(Trainer, Layer)``), laid out as Keras
3.15's ``trainers/trainer.py`` plus its eager NumPy/torch backend trainers. One training step is
what a user's custom loop does: a ``GradientTape`` around the forward pass and the loss, then
``self.optimizer.apply(grads, self.trainable_variables)``. ``train_step`` / ``test_step`` /
``predict_step`` (and ``compute_loss`` / ``compute_metrics``) may be overridden.

Nothing in a step reads a value back to the host: the loss and the metrics accumulate in the
metrics' Variables on the device, per-batch logs are the metrics' result tensors, and ``fit`` /
``evaluate`` convert the logs to Python floats once, at the end of an epoch (a callback that
reads per-batch values converts them itself). ``predict`` joins the batch outputs on the device
and copies them to the host once.

The trainer keeps its state in class-level defaults (it has no ``__init__``), so that
``Model.__init__`` needs no change to call it.
"""

import warnings

from ... import backends
from ...core.tape import GradientTape
from ...core.tensor import Tensor
from ...core.variable import Variable as _CoreVariable
from ...ops import keras_names as ops
from .. import backend
from ..callbacks.callback_list import pythonify_logs
from ..layers import tracking
from ..layers.layer_utils import _tape_paused
from ..tree import map_structure
from .compile_utils import CompileLoss, CompileMetrics
from .data_adapters import (can_convert_arrays, class_weight_to_sample_weights,
                            train_validation_split, unpack_x_y_sample_weight)
from .epoch_iterator import EpochIterator
from .step_functions import StepFunctions
from .trainer_utils import (CompiledMetricsShim, as_tensors, batch_size_of, has_param,
                            lookup_optimizer, metrics_in, to_numpy)


class Trainer(StepFunctions):
    """compile / fit / evaluate / predict, the overridable steps and the metrics bookkeeping."""

    compiled = False
    optimizer = None
    loss = None
    _compile_loss = None
    _compile_metrics = None
    _loss_tracker = None
    _compile_config = None
    _run_eagerly = False
    _jit_compile = None
    _initial_epoch = None
    _eval_epoch_iterator = None
    steps_per_execution = 1
    stop_training = False
    stop_evaluating = False
    stop_predicting = False
    train_function = None
    test_function = None
    predict_function = None

    # -- compile ---------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure the model for training: optimizer, loss(es), metrics (Keras 3's arguments).

        ``loss``, ``metrics`` and ``loss_weights`` may be given per output as lists (output
        order) or dicts keyed by output name; "accuracy" / "acc" become Binary-, Sparse- or
        CategoricalAccuracy from the shapes of the labels and of the predictions.
        """
        from .. import metrics as metrics_module
        from .. import optimizers
        optimizer = lookup_optimizer(optimizers, optimizer)
        self.optimizer = optimizer
        scale_cls = getattr(optimizers, "LossScaleOptimizer", None)
        if (auto_scale_loss and scale_cls is not None and self.optimizer is not None
                and getattr(self.dtype_policy, "name", None) == "mixed_float16"
                and not isinstance(self.optimizer, scale_cls)):
            self.optimizer = scale_cls(self.optimizer, name="loss_scale_optimizer")
        output_names = self._compile_output_names()
        self._compile_loss = None
        self._compile_metrics = None
        if loss is not None:
            self._compile_loss = CompileLoss(loss, loss_weights, output_names=output_names)
        self.loss = loss
        if metrics is not None or weighted_metrics is not None:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics,
                                                   output_names=output_names)
        self._jit_explicit = jit_compile is True
        if jit_compile == "auto":   # a CUDA-graph step where new tensors go to a GPU
            jit_compile = bool(backends.get_backend().supports_capture) and not run_eagerly
        if jit_compile and run_eagerly:
            jit_compile = False
            warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. "
                          "Disabling `jit_compile`.", stacklevel=2)
        self.jit_compile = jit_compile
        self.run_eagerly = run_eagerly
        self.stop_training = False
        self.compiled = True
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.steps_per_execution = steps_per_execution
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        self.__dict__["_compile_config"] = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile}

    def _compile_output_names(self):
        names = getattr(self, "output_names", None)
        return list(names) if names else None

    @property
    def jit_compile(self):
        return bool(self._jit_compile)

    @jit_compile.setter
    def jit_compile(self, value):
        self._jit_compile = value

    @property
    def run_eagerly(self):
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = value

    # -- metrics ---------------------------------------------------------------------------------
    @property
    def metrics(self):
        """The loss tracker, the compiled metrics, per-output loss trackers, then the Metric
        objects held as attributes of the model and of its layers (Keras 3's order)."""
        return list(self._refresh_metrics())

    def _refresh_metrics(self):
        """Collect ``metrics`` afresh and remember them for ``_step_metrics``."""
        self.__dict__["_metrics_cache"] = None   # present before the key counts attributes
        metrics = []
        if self.compiled:
            if self._loss_tracker is not None:
                metrics.append(self._loss_tracker)
            if self._compile_metrics is not None:
                metrics.append(self._compile_metrics)
            if self._compile_loss is not None:
                metrics.extend(self._compile_loss.metrics)
        metrics.extend(self._attribute_metrics())
        metrics.extend(self._sublayer_metrics())
        self.__dict__["_metrics_cache"] = (self._metrics_key(), metrics)
        return metrics

    def _metrics_key(self):
        """What ``metrics`` depends on, cheaply: tracking, the attributes, the compiled state."""
        loss = self._compile_loss
        return (tracking.version(), len(self.__dict__), self.compiled, self._loss_tracker,
                self._compile_metrics, loss, getattr(loss, "built", None))

    def _step_metrics(self):
        """``metrics`` for the per-step logs: the remembered list while nothing it depends on
        changed (``metrics`` and ``reset_metrics``, at every epoch, collect afresh)."""
        if type(self).metrics is not Trainer.metrics:   # a model that lists its own
            return self.metrics
        cache = self.__dict__.get("_metrics_cache")
        if cache is not None and cache[0] == self._metrics_key():
            return cache[1]
        return self._refresh_metrics()

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self):
        """Zero the state of every metric (``fit`` does it at the start of each epoch)."""
        for m in self.metrics:
            m.reset_state()

    def _attribute_metrics(self):
        own = (self._loss_tracker, self._compile_metrics)
        return [m for m in metrics_in(self.__dict__) if not any(m is o for o in own)]

    def _sublayer_metrics(self):
        """Metrics held by sub-layers (not by nested models), cached until tracking changes."""
        cache = self.__dict__.get("_sublayer_metrics_cache")
        if cache is not None and cache[0] == tracking.version():
            return cache[1]
        found = []
        for layer in self._flatten_layers(include_self=False):
            if not isinstance(layer, Trainer):
                found.extend(metrics_in(layer.__dict__))
        self.__dict__["_sublayer_metrics_cache"] = (tracking.version(), found)
        return found

    # -- loss and metrics of a batch -------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss: the compiled loss plus the model's ``losses`` (``add_loss`` terms
        and weight regularization). Override it for a custom loss."""
        del x, training
        losses = []
        if self._compile_loss is not None:
            loss = self._compile_loss(y, y_pred, sample_weight)
            if loss is not None:
                losses.append(loss)
        for loss in self.losses:
            losses.append(self._aggregate_additional_loss(loss))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for loss in losses[1:]:
            total = total + ops.cast(loss, total.dtype)
        return total

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """``compute_loss``, also when an override lacks the ``training`` argument."""
        if has_param(type(self), "compute_loss", "training"):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def _aggregate_additional_loss(self, loss):
        if not isinstance(loss, (Tensor, _CoreVariable)):
            loss = ops.convert_to_tensor(loss)
        if not loss.dtype.is_floating:
            loss = ops.cast(loss, backend.floatx())
        return ops.sum(loss) if loss.ndim else loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics and return ``get_metrics_result()``."""
        del x
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """``{name: value}`` for every metric of ``metrics`` (dict results merged in)."""
        out = {}
        for metric in self._step_metrics():
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return out

    # -- tf.keras 2 compatibility: compiled_loss / compiled_metrics in custom train steps ------
    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """tf.keras's ``self.compiled_loss(y, y_pred)``: ``compute_loss`` (which adds
        ``self.losses`` itself), tracked by the "loss" metric as tf.keras did."""
        loss = self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=batch_size_of(y_pred))
        return loss

    @property
    def compiled_metrics(self):
        """tf.keras's ``self.compiled_metrics.update_state(y, y_pred)``."""
        return CompiledMetricsShim(self)

    # -- steps -----------------------------------------------------------------------------------
    def train_step(self, data):
        """One gradient update on one batch ``(x, y, sample_weight)``; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                      training=True)
            scaled = loss
            if self.optimizer is not None and hasattr(self.optimizer, "scale_loss"):
                scaled = self.optimizer.scale_loss(loss)
        self._loss_tracker.update_state(loss, sample_weight=batch_size_of(x))
        trainable = self.trainable_variables
        if trainable:
            grads = tape.gradient(scaled, trainable)
            self.optimizer.apply(grads, trainable)
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """Loss and metrics of one batch in inference mode; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        self._loss_tracker.update_state(loss, sample_weight=batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's output for one batch, in inference mode."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- fit -------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` epochs; returns the ``History`` (per-epoch logs in ``history``)."""
        from .. import callbacks as callbacks_module
        self._assert_compile_called("fit")
        self._eval_epoch_iterator = None
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(
                (x, y, sample_weight), validation_split=validation_split)
        if validation_data is not None:
            val_x, val_y, val_sample_weight = unpack_x_y_sample_weight(validation_data)
        epoch_iterator = EpochIterator(
            x=x, y=y, sample_weight=sample_weight, batch_size=batch_size,
            steps_per_epoch=steps_per_epoch, shuffle=shuffle, class_weight=class_weight,
            steps_per_execution=self.steps_per_execution)
        self._symbolic_build(iterator=epoch_iterator)
        epoch_iterator.reset()
        if not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose,
                epochs=epochs, steps=epoch_iterator.num_batches, model=self)
        self.stop_training = False
        training_logs = {}
        logs = {}
        self.make_train_function()
        callbacks.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            logs = {}
            with backends.deferred_errors():   # label errors are read once, at the end
                for begin_step, end_step, data in epoch_iterator:
                    callbacks.on_train_batch_begin(begin_step)
                    logs = self.train_function(data)
                    callbacks.on_train_batch_end(end_step, logs)
                    if self.stop_training:
                        break
            # The epoch's values: read back from the device once, here.
            epoch_logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
            if validation_data is not None and self._should_eval(epoch, validation_freq):
                # fit's batch_size applies to validation arrays, not to a Dataset or generator.
                val_batch_size = validation_batch_size or (
                    batch_size if can_convert_arrays((val_x, val_y, val_sample_weight)) else None)
                if self._eval_epoch_iterator is None:
                    self._eval_epoch_iterator = EpochIterator(
                        x=val_x, y=val_y, sample_weight=val_sample_weight,
                        batch_size=val_batch_size,
                        steps_per_epoch=validation_steps, shuffle=False,
                        steps_per_execution=self.steps_per_execution)
                val_logs = self.evaluate(
                    x=val_x, y=val_y, sample_weight=val_sample_weight,
                    batch_size=val_batch_size, steps=validation_steps,
                    callbacks=callbacks, return_dict=True, _use_cached_eval_dataset=True)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
                epoch_logs = pythonify_logs(epoch_logs)
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > 0:
            finalize(self.trainable_weights)
        self._eval_epoch_iterator = None
        callbacks.on_train_end(logs=training_logs)
        return self.history

    # -- evaluate --------------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss and metrics over ``x`` / ``y``: a list in ``metrics_names`` order (the
        compiled metrics expanded), a scalar when it is only the loss, or a dict."""
        from .. import callbacks as callbacks_module
        use_cached = kwargs.pop("_use_cached_eval_dataset", False)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        self._assert_compile_called("evaluate")
        if use_cached:
            epoch_iterator = self._eval_epoch_iterator
        else:
            epoch_iterator = EpochIterator(
                x=x, y=y, sample_weight=sample_weight, batch_size=batch_size,
                steps_per_epoch=steps, shuffle=False,
                steps_per_execution=self.steps_per_execution)
        self._symbolic_build(iterator=epoch_iterator)
        epoch_iterator.reset()
        if not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                steps=epoch_iterator.num_batches, model=self)
        self.make_test_function()
        self.stop_evaluating = False
        callbacks.on_test_begin()
        logs = {}
        self.reset_metrics()
        with backends.deferred_errors():
            for begin_step, end_step, data in epoch_iterator:
                callbacks.on_test_batch_begin(begin_step)
                logs = self.test_function(data)
                callbacks.on_test_batch_end(end_step, logs)
                if self.stop_evaluating:
                    break
        logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
        callbacks.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    # -- predict ---------------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x`` as NumPy arrays (a list or dict of them for several
        outputs), computed batch by batch and joined on the device."""
        from .. import callbacks as callbacks_module
        epoch_iterator = EpochIterator(x=x, batch_size=batch_size, steps_per_epoch=steps,
                                       shuffle=False, steps_per_execution=self.steps_per_execution)
        if callbacks is None and verbose == 0:
            # predict() in a loop: the silent, callback-free list is built once and reused.
            if getattr(self, "_silent_predict_callbacks", None) is None:
                self._silent_predict_callbacks = callbacks_module.CallbackList(
                    None, add_progbar=False, verbose=0, epochs=1, steps=None, model=self)
            callbacks = self._silent_predict_callbacks
        elif not isinstance(callbacks, callbacks_module.CallbackList):
            callbacks = callbacks_module.CallbackList(
                callbacks, add_progbar=verbose != 0, verbose=verbose, epochs=1,
                steps=epoch_iterator.num_batches, model=self)
        self.make_predict_function()
        self.stop_predicting = False
        callbacks.on_predict_begin()
        outputs = []
        for begin_step, end_step, data in epoch_iterator:
            callbacks.on_predict_batch_begin(begin_step)
            batch_outputs = self.predict_function(data)
            outputs.append(batch_outputs)
            callbacks.on_predict_batch_end(end_step, {"outputs": batch_outputs})
            if self.stop_predicting:
                break
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data: the input produced no batches "
                             f"(x of type {type(x).__name__}).")
        if len(outputs) == 1:
            return map_structure(to_numpy, outputs[0])
        return map_structure(lambda *parts: to_numpy(ops.concatenate(list(parts), axis=0)),
                           *outputs)

    # -- one batch -------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient update on one batch; returns that batch's loss and metrics."""
        self._assert_compile_called("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be "
                                 f"specified at the same time. Received: sample_weight="
                                 f"{sample_weight}, class_weight={class_weight}")
            sample_weight = class_weight_to_sample_weights(as_tensors(y), class_weight)
        data = as_tensors((x, y, sample_weight))
        self._symbolic_build(data_batch=data)
        self.make_train_function()
        self.reset_metrics()
        logs = pythonify_logs(self.train_function([data]))
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss and metrics of one batch in inference mode."""
        self._assert_compile_called("test_on_batch")
        data = as_tensors((x, y, sample_weight))
        self._symbolic_build(data_batch=data)
        self.make_test_function()
        self.reset_metrics()
        logs = pythonify_logs(self.test_function([data]))
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        function = self.predict_function or self.make_predict_function()
        return map_structure(to_numpy, function([(x,)]))

    # -- compile config --------------------------------------------------------------------------
    def get_compile_config(self):
        """The ``compile()`` arguments as a serializable dict ({} before ``compile``)."""
        if self.compiled and self._compile_config is not None:
            from ..saving.object_registration import serialize_keras_object
            return serialize_keras_object(dict(self._compile_config))
        return {}

    def compile_from_config(self, config):
        """``compile(**config)`` from ``get_compile_config()``'s dict (optimizer built too)."""
        if type(self).compile is not Trainer.compile:
            warnings.warn("`compile()` was not called as part of model loading because the "
                          "model's `compile()` method is custom. All subclassed Models that "
                          "have `compile()` overridden should also override "
                          "`get_compile_config()` and `compile_from_config(config)`. "
                          "Alternatively, you can call `compile()` manually after loading.",
                          stacklevel=2)
            return
        from ..saving.object_registration import deserialize_keras_object
        config = deserialize_keras_object(config)
        self.compile(**config)
        if self.optimizer is not None and self.built and hasattr(self.optimizer, "build"):
            self.optimizer.build(self.trainable_variables)

    # -- helpers ---------------------------------------------------------------------------------
    def _should_eval(self, epoch, validation_freq):
        epoch = epoch + 1
        if isinstance(validation_freq, int):
            return epoch % validation_freq == 0
        if isinstance(validation_freq, list):
            return epoch in validation_freq
        raise ValueError("Expected `validation_freq` to be a list or int. Received: "
                         f"validation_freq={validation_freq} of the type {type(validation_freq)}.")

    def _get_metrics_result_or_logs(self, logs):
        """The metrics' results when the step's logs have the same keys (the default steps),
        else the logs the last (custom) step returned."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _flatten_metrics_in_order(self, logs):
        """``logs`` as a list in ``metrics`` order (compiled metrics expanded), other keys
        sorted after them; a single value alone."""
        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names += [m.name for m in metric.metrics]
            else:
                names.append(metric.name)
        results = [logs[name] for name in names if name in logs]
        results += [logs[key] for key in sorted(logs) if key not in names]
        if len(results) == 1:
            return results[0]
        return results

    def _assert_compile_called(self, method_name=None):
        if not self.compiled:
            raise ValueError("You must call `compile()` before using the model.")

    def _symbolic_build(self, iterator=None, data_batch=None):
        """Build the model, the compiled loss and metrics, and the optimizer before the first
        step (from one batch, run once in inference mode without recording gradients), so that
        shape errors show before training and callbacks see built state."""
        model_unbuilt = not all(layer.built for layer in self._flatten_layers())
        metrics_unbuilt = self._compile_metrics is not None and not self._compile_metrics.built
        loss_unbuilt = self._compile_loss is not None and not self._compile_loss.built
        if model_unbuilt or metrics_unbuilt or loss_unbuilt:
            if data_batch is None:
                for _, _, batches in iterator:
                    data_batch = batches[0]
                    break
            if data_batch is not None:
                x, y, sample_weight = unpack_x_y_sample_weight(data_batch)
                with _tape_paused():
                    try:
                        try:
                            y_pred = self(x, training=False)
                        except NotImplementedError:
                            # A model with only a custom train_step (a GAN has no call) builds
                            # in its own steps, as with Keras's TensorFlow backend.
                            return
                        if y is not None and metrics_unbuilt:
                            self._compile_metrics.build(y, y_pred)
                        if y is not None and loss_unbuilt:
                            self._compile_loss(y, y_pred, sample_weight)
                    finally:
                        self._clear_losses()
        optimizer = self.optimizer
        if optimizer is not None and not getattr(optimizer, "built", True) and self.built:
            optimizer.build(self.trainable_variables)
