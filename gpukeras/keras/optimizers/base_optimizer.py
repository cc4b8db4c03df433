"""The Keras 3 optimizer base: learning rate (float, schedule or callable), ``iterations``,
slot variables, ``apply`` / ``apply_gradients``, config and saved state. The gradient pipeline
around the update (None gradients, clipping, weight decay, accumulation, EMA) is in
``gradient_pipeline.py``.

How a step runs (``apply``): skip None gradients (with Keras's warning), unscale, clip, decay
the weights, then one ``_backend_update_step`` call for all variables. A built-in optimizer
writes its update as a pure rule on tensors (``_update_rule``: new variable and slot values
from the gradient, the variable, its slots and per-step scalars such as the bias-corrected
learning rate, which ``_step_scalars`` computes once per step and dtype), and
``_multi_tensor_update`` applies that rule to the lists of variables, slots and gradients of
one dtype in one call: the seam where a fused multi-tensor GPU kernel (with the rule as its
NumPy twin) replaces the per-variable loop. Subclasses that override Keras's
``update_step(gradient, variable, learning_rate)`` keep working: they get one call per variable.
Nothing in a step reads a value back to the host.
"""

import warnings

from ...core import tape as _tape
from ...core.tensor import Tensor
from ...core.variable import Variable as _CoreVariable
from ...ops import arithmetic as _a
from ...ops import elementwise as _e
from ...ops import optim_ops as _optim_ops
from ...ops.operands import weak as _weak
from .. import backend, initializers
from ..saving import object_registration as _registration
from ..saving.object_registration import keras_export
from ..variables import Variable
from .gradient_pipeline import GradientPipeline, clip_by_global_norm, global_norm  # noqa: F401
from .schedules import learning_rate_schedule as _schedules


def _is_tensor(x):
    return isinstance(x, Tensor) or hasattr(x, "_gpukeras_tensor")


class BaseOptimizer(GradientPipeline):
    """Abstract optimizer base class (Keras 3's ``BaseOptimizer``).

    A custom optimizer overrides ``build`` (creating slots with ``add_variable_from_reference``
    or ``add_optimizer_variables``), ``update_step(gradient, variable, learning_rate)`` and
    ``get_config``, exactly as in Keras.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._lock = False
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if name is None:
            name = backend.unique_name(backend.to_snake_case(self.__class__.__name__))
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps:
            if not gradient_accumulation_steps >= 2:
                raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                                 f"Received: gradient_accumulation_steps="
                                 f"{gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.built = False
        self._variables = []
        self._variable_ids = set()
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        with backend.name_scope(self.name, caller=self):
            iterations = Variable(0, name="iteration", dtype="int64", trainable=False)
        self._track_variable(iterations)
        self._iterations = iterations
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if not isinstance(learning_rate, float):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of "
                    "LearningRateSchedule, or a callable (that takes in the current iteration "
                    "value and returns the corresponding learning rate value). "
                    f"Received instead: learning_rate={learning_rate}")
            with backend.name_scope(self.name, caller=self):
                learning_rate = Variable(learning_rate, name="learning_rate",
                                         dtype=backend.floatx(), trainable=False)
            self._track_variable(learning_rate)
            self._learning_rate = learning_rate

    # -- variable tracking ------------------------------------------------------------------
    def __setattr__(self, name, value):
        if name != "_lock":
            self._check_super_called()
        if "_variable_ids" in self.__dict__ and not name.startswith("__"):
            if isinstance(value, _CoreVariable):
                self._track_variable(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, _CoreVariable):
                        self._track_variable(item)
        object.__setattr__(self, name, value)

    def _check_super_called(self):
        if "_lock" not in self.__dict__:
            raise RuntimeError(
                f"In optimizer '{self.__class__.__name__}', you forgot to call "
                "`super().__init__()` as the first statement in the `__init__()` method. "
                "Go add it!")

    def _track_variable(self, variable):
        if id(variable) not in self._variable_ids:
            self._variable_ids.add(id(variable))
            self._variables.append(variable)

    def _untrack_variable(self, variable):
        if id(variable) in self._variable_ids:
            self._variable_ids.discard(id(variable))
            self._variables = [v for v in self._variables if v is not variable]

    @property
    def variables(self):
        """Every optimizer variable: iterations, the learning rate (if a variable), then the
        slots in the order ``build`` created them (the order saved files index them by)."""
        return self._variables[:]

    @property
    def iterations(self):
        """The number of steps taken (with gradient accumulation: of real updates)."""
        if self.gradient_accumulation_steps:
            # Through float64: integer floordiv checks its divisor on the host.
            steps = _a.cast(self._iterations, "float64")
            return _a.cast(_e.floor(steps / float(self.gradient_accumulation_steps)), "int64")
        return self._iterations

    def _var_key(self, variable):
        return id(variable)

    def _get_variable_index(self, variable):
        return self._trainable_variables_indices[self._var_key(variable)]

    def _overwrite_variable_with_gradient(self, variable):
        return getattr(variable, "overwrite_with_gradient", False)

    # -- building ---------------------------------------------------------------------------
    def build(self, variables):
        """Create the optimizer's variables for ``variables`` (EMA averages, gradient
        accumulators); subclasses add their slots after calling this."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            object.__setattr__(self, "_accumulated_gradients", [])
        for i, variable in enumerate(variables):
            self._trainable_variables_indices[self._var_key(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulated_gradients.append(
                    self.add_variable_from_reference(variable, name="gradient_accumulator"))
        object.__setattr__(self, "_trainable_variables", list(variables))
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """A non-trainable optimizer variable named ``<optimizer>/<name>``."""
        self._check_super_called()
        initializer = initializers.get(initializer)
        with backend.name_scope(self.name, caller=self):
            variable = Variable(initializer, shape=shape, dtype=dtype, trainable=False,
                                name=name)
        self._track_variable(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like ``reference_variable``, named ``<its path with _>_<name>``
        ("dense_kernel_momentum"), as Keras names them."""
        name = name or "var"
        if hasattr(reference_variable, "path"):
            name = f"{reference_variable.path.replace('/', '_')}_{name}"
        else:
            ref = str(reference_variable.name).replace("/", "_").replace(":", "_")
            name = f"{ref}_{name}"
        return self.add_variable(shape=tuple(reference_variable.shape), initializer=initializer,
                                 dtype=reference_variable.dtype.name, name=name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name in ``name`` (a string or a list), interleaved
        per variable as Keras creates them; None for ``overwrite_with_gradient`` variables."""
        names = [name] if isinstance(name, str) else list(name)
        if isinstance(name, str):
            inits = [initializer]
        elif isinstance(initializer, (str, initializers.Initializer)):
            inits = [initializer] * len(names)
        else:
            inits = list(initializer)
        if len(names) != len(inits):
            raise ValueError("The number of provided names must match the number of provided "
                             f"initializers.  Received name='{name}', "
                             f"initializer='{initializer}'")
        out = tuple([] for _ in names)
        for variable in trainable_variables:
            skip = self._overwrite_variable_with_gradient(variable)
            for i, (var_name, var_init) in enumerate(zip(names, inits)):
                out[i].append(None if skip else self.add_variable_from_reference(
                    variable, name=var_name, initializer=var_init))
        return out[0] if isinstance(name, str) else out

    def _check_variables_are_known(self, variables):
        known = self._trainable_variables_indices
        for v in variables:
            if id(v) not in known:
                raise ValueError(
                    f"Unknown variable: {v}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance.")

    # -- assignment hooks (Keras API) -------------------------------------------------------
    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        variable.assign_sub(value)

    # -- the update -------------------------------------------------------------------------
    def update_step(self, gradient, variable, learning_rate):
        """Update one variable. Built-in optimizers run their ``_update_rule`` here; custom
        optimizers override this (Keras's API)."""
        if type(self)._update_rule is BaseOptimizer._update_rule:
            raise NotImplementedError
        index = self._get_variable_index(variable)
        slots = tuple([lst[index]] for lst in self._slot_lists())
        scalars = self._step_scalars(learning_rate, variable)
        self._multi_tensor_update([_a.cast(gradient, variable.dtype)], [variable], slots,
                                  scalars)

    def _slot_lists(self):
        """The slot variables, one list per kind, each aligned with the built variables."""
        return ()

    def _step_scalars(self, learning_rate, variable):
        """The per-step 0-d tensors (of ``variable``'s dtype) the rule needs, computed once
        per step and dtype: the learning rate, bias corrections, hyper-parameters."""
        if _is_tensor(learning_rate):
            return {"lr": _a.cast(learning_rate, variable.dtype)}
        return {"lr": _weak(learning_rate, variable.value(), "optimizer")}

    @staticmethod
    def _scalar(value, like):
        """The Python number ``value`` as a 0-d tensor of ``like``'s dtype and device."""
        return _weak(value, like, "optimizer")

    def _update_rule(self, s, g, w, slots):
        """``(new_w, new_slots)`` from the step scalars ``s``, gradient ``g``, value ``w``
        and slot values ``slots`` (all tensors): the update as a pure function."""
        raise NotImplementedError

    #: ``(kernel, names)`` of a fused multi-tensor update of this class's own rule: the kernel
    #: ``<kernel>(params, grads, *slots, hyper)`` with ``hyper`` the step scalars ``names``, in
    #: order. A subclass that changes ``_update_rule`` or ``_step_scalars`` gets the rule back.
    _FUSED = None

    def _fused_kernel(self):
        cls = type(self)
        owner = next(c for c in cls.__mro__ if "_FUSED" in c.__dict__)
        if owner._FUSED is None or cls._update_rule is not owner._update_rule or (
                cls._step_scalars is not owner._step_scalars):
            return None
        return owner._FUSED

    def _multi_tensor_update(self, grads, variables, slots, scalars):
        """Apply the rule to every variable of one dtype: ``grads``/``variables`` are lists,
        ``slots`` a tuple of lists aligned with them, ``scalars`` the step scalars.

        This is the single call per optimizer step that a fused multi-tensor kernel replaces:
        it does, through ``_FUSED``, for plain float variables.
        """
        fused = self._fused_kernel()
        if fused is not None and _optim_ops.fusable(variables, grads, slots):
            kernel, names = fused
            _optim_ops.apply_multi(kernel, variables, grads, slots, [scalars[k] for k in names])
            return
        rule = self._update_rule
        for i, (g, v) in enumerate(zip(grads, variables)):
            own = [lst[i] for lst in slots]
            new_w, new_slots = rule(scalars, g, v.value(), [s.value() for s in own])
            v.assign(new_w)
            for slot, value in zip(own, new_slots):
                slot.assign(value)

    def _uses_update_rule(self):
        cls = type(self)
        return (cls.update_step is BaseOptimizer.update_step
                and cls._update_rule is not BaseOptimizer._update_rule)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        """Update all variables: one ``_multi_tensor_update`` per dtype for built-in rules,
        else ``update_step`` per variable."""
        if not self._uses_update_rule():
            for grad, var in zip(grads, trainable_variables):
                self.update_step(grad, var, learning_rate)
            return
        for dtype, positions, variables, slots in self._update_groups(trainable_variables):
            gs = [_a.cast(grads[i], dtype) for i in positions]   # the gradient itself if same
            self._multi_tensor_update(gs, variables, slots,
                                      self._step_scalars(learning_rate, variables[0]))

    def _update_groups(self, trainable_variables):
        """``(dtype, positions, variables, slot lists)`` per dtype of ``trainable_variables``,
        cached per list of variables: the grouping and slot look-ups repeat every step."""
        cache = self.__dict__.setdefault("_update_groups_cache", {})
        key = tuple(map(id, trainable_variables))
        groups = None if backend.AUTOCAST_OPEN[0] else cache.get(key)   # dtype may read cast
        if groups is not None:
            return groups
        by_dtype = {}
        for i, v in enumerate(trainable_variables):
            positions, vs = by_dtype.setdefault(v.dtype, ([], []))
            positions.append(i)
            vs.append(v)
        index, kinds = self._trainable_variables_indices, self._slot_lists()
        groups = [(dtype, positions, vs, tuple([lst[index[id(v)]] for v in vs] for lst in kinds))
                  for dtype, (positions, vs) in by_dtype.items()]
        if not backend.AUTOCAST_OPEN[0]:
            if len(cache) >= 8:   # a few variable lists (subsets when gradients are None)
                cache.clear()
            cache[key] = groups
        return groups

    def apply_gradients(self, grads_and_vars):
        """``apply`` for a list of (gradient, variable) pairs; returns ``iterations``."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` (or the variables the optimizer was built with)
        with ``grads``; builds the optimizer on the first call."""
        grads = list(grads)
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first. ")
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    "match `optimizer.variables` one-to-on. Received a list of "
                    f"{len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                with backend.name_scope(self.name, caller=self):
                    self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        paused = _tape.RECORDING[:]   # updates are never differentiated
        del _tape.RECORDING[:]
        try:
            with backend.name_scope(self.name, caller=self):
                grads, trainable_variables = self._filter_empty_gradients(
                    grads, trainable_variables)
                grads, trainable_variables = self._overwrite_variables_directly_with_gradients(
                    grads, trainable_variables)
                if grads:
                    scale = self.loss_scale_factor
                    if scale is not None:
                        grads = [g / scale for g in grads]
                    self._backend_apply_gradients(grads, trainable_variables)
                    for variable in trainable_variables:
                        constraint = getattr(variable, "constraint", None)
                        if constraint is not None:
                            variable.assign(constraint(variable))
            _optim_ops.increment(self._iterations)
        finally:
            _tape.RECORDING[:] = paused

    def minimize(self, loss, var_list, tape=None):
        """tf.keras's ``minimize``: gradients of ``loss`` (a tensor computed under ``tape``,
        or a callable) with respect to ``var_list``, then ``apply_gradients``."""
        from ...core.tape import GradientTape
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        if callable(loss):
            with GradientTape() as tape:
                tape.watch(var_list)
                loss = loss()
        elif tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. "
                             f"Received: loss={loss}, tape={tape}.")
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    # -- learning rate ----------------------------------------------------------------------
    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` (the loss unchanged without a factor)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        previous = self._learning_rate if isinstance(self._learning_rate, _CoreVariable) else None
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
                raise TypeError(
                    "This optimizer was created with a `LearningRateSchedule` object as its "
                    "`learning_rate` constructor argument, hence its learning rate is not "
                    "settable. If you need the learning rate to be settable, you should "
                    "instantiate the optimizer with a float `learning_rate` argument.")
            self._learning_rate.assign(learning_rate)
        if previous is not None and not isinstance(self._learning_rate, _CoreVariable):
            self._untrack_variable(previous)

    def _get_current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, _CoreVariable):
            return lr
        if callable(lr):
            return lr()
        return lr

    # -- state ------------------------------------------------------------------------------
    def set_weights(self, weights):
        """Set every optimizer variable from a list of arrays (in ``variables`` order)."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError(f"Optimizer variable {id(variable)} has shape "
                                 f"{tuple(variable.shape)} not compatible with provided weight "
                                 f"shape {tuple(weight.shape)}.")
            variable.assign(weight)

    def get_weights(self):
        return [v.numpy() for v in self._variables]

    def save_own_variables(self, store):
        """Write the variables to ``store`` under "0", "1", ... (Keras's saved layout)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read the variables written by ``save_own_variables`` (ours or real Keras's)."""
        if len(store.keys()) != len(self.variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                   f"{len(self.variables)} variables whereas the saved optimizer has "
                   f"{len(store.keys())} variables. ")
            if len(self.variables) == 0:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            value = store[str(i)]
            if type(value).__module__.startswith("h5py"):
                value = value[()]
            variable.assign(value)

    def _obj_type(self):
        return "Optimizer"

    # -- config -----------------------------------------------------------------------------
    def get_config(self):
        """The optimizer's hyper-parameters (no state), as Keras's ``get_config``."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            learning_rate = _schedules.serialize(lr)
        elif isinstance(lr, _CoreVariable) or _is_tensor(lr):
            learning_rate = float(lr.numpy())
        elif callable(lr):
            learning_rate = _registration.serialize_keras_object(lr)
        else:
            learning_rate = 0.5
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """An optimizer (with fresh state) from ``get_config()``'s dict."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _registration.deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)


@keras_export(["keras.Optimizer", "keras.optimizers.Optimizer"])
class Optimizer(BaseOptimizer):
    __doc__ = BaseOptimizer.__doc__
