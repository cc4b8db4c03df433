"""``keras.optimizers.Adagrad``: per-coordinate rates scaled by the sum of squared gradients."""

from ...ops import elementwise as _e
from .. import initializers
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Adagrad"])
class Adagrad(Optimizer):
    """``a += g^2; w -= lr * g / sqrt(a + epsilon)`` with ``a`` starting at
    ``initial_accumulator_value``."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("adagrad_multi_update", ("lr", "epsilon"))

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        """One "accumulator" slot per variable."""
        if self.built:
            return
        super().build(var_list)
        initializer = initializers.Constant(self.initial_accumulator_value)
        self._accumulators = self.add_optimizer_variables(var_list, "accumulator",
                                                          initializer=initializer)

    def _slot_lists(self):
        return (self._accumulators,)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        s["epsilon"] = self._scalar(self.epsilon, s["lr"])
        return s

    def _update_rule(self, s, g, w, slots):
        accumulator = slots[0] + _e.square(g)
        return w - (s["lr"] * g) / _e.sqrt(accumulator + s["epsilon"]), (accumulator,)

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
