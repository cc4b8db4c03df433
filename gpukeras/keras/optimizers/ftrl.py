"""``keras.optimizers.Ftrl``: Follow The Regularized Leader (McMahan et al., 2013), with L1,
L2 and L2-shrinkage regularization."""

from ...ops import arithmetic as _a
from ...ops import elementwise as _e
from .. import initializers
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Ftrl"])
class Ftrl(Optimizer):
    """Per coordinate: ``n_new = n + g^2``, ``z += g' - (n_new^-p - n^-p) / lr * w`` (``g'``
    the gradient plus the L2 shrinkage term), and ``w = (clip(z, -l1, l1) - z) /
    (n_new^-p / lr + 2 * l2)`` with ``p = learning_rate_power``."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("ftrl_multi_update",
              ("lr", "neg_lr_power", "two_l2_shrinkage", "two_l2_reg", "l1", "neg_l1"))

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        checks = (("initial_accumulator_value", initial_accumulator_value, 1),
                  ("learning_rate_power", learning_rate_power, -1),
                  ("l1_regularization_strength", l1_regularization_strength, 1),
                  ("l2_regularization_strength", l2_regularization_strength, 1),
                  ("l2_shrinkage_regularization_strength",
                   l2_shrinkage_regularization_strength, 1))
        for arg, value, sign in checks:
            if value * sign < 0.0:
                allowed = "positive or zero" if sign > 0 else "negative or zero"
                raise ValueError(f"`{arg}` needs to be {allowed}. Received: {arg}={value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        """Slots "accumulator" (starting at ``initial_accumulator_value``) and "linear"."""
        if self.built:
            return
        super().build(var_list)
        accumulator_initializer = initializers.Constant(self.initial_accumulator_value)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"], initializer=[accumulator_initializer, "zeros"])

    def _slot_lists(self):
        return (self._accumulators, self._linears)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        lr, c = s["lr"], self._scalar
        l2_reg = self.l2_regularization_strength + self.beta / (2.0 * lr)
        s["two_l2_reg"] = 2 * l2_reg
        s["neg_lr_power"] = c(-self.learning_rate_power, lr)
        s["two_l2_shrinkage"] = c(2 * self.l2_shrinkage_regularization_strength, lr)
        s["l1"] = c(self.l1_regularization_strength, lr)
        s["neg_l1"] = c(-self.l1_regularization_strength, lr)
        return s

    def _update_rule(self, s, g, w, slots):
        accum, linear = slots
        lr, p = s["lr"], s["neg_lr_power"]
        grad_to_use = g + s["two_l2_shrinkage"] * w
        new_accum = accum + _e.square(g)
        new_accum_power = _a.pow(new_accum, p)
        linear = linear + (grad_to_use - ((new_accum_power - _a.pow(accum, p)) / lr) * w)
        quadratic = new_accum_power / lr + s["two_l2_reg"]
        linear_clipped = _a.minimum(_a.maximum(linear, s["neg_l1"]), s["l1"])
        return (linear_clipped - linear) / quadratic, (new_accum, linear)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config
