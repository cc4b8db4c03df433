"""``keras.optimizers.Adamax``: Adam with the infinity norm in place of the second moment."""

from ...ops import arithmetic as _a
from ...ops import elementwise as _e
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Adamax"])
class Adamax(Optimizer):
    """``m = b1*m + (1-b1)*g; u = max(b2*u, |g|); w -= lr * m / ((1-b1^t) * (u + epsilon))``."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("adamax_multi_update",
              ("lr", "one_minus_beta_1", "beta_2", "epsilon", "one_minus_beta_1_power"))

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Slots "momentum" and "norm" per variable."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _slot_lists(self):
        return (self._m, self._u)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        lr, c = s["lr"], self._scalar
        local_step = _a.cast(self.iterations + 1, lr.dtype)
        s["one_minus_beta_1_power"] = 1 - _a.pow(c(self.beta_1, lr), local_step)
        s["one_minus_beta_1"] = c(1 - self.beta_1, lr)
        s["beta_2"], s["epsilon"] = c(self.beta_2, lr), c(self.epsilon, lr)
        return s

    def _update_rule(self, s, g, w, slots):
        m = slots[0] + (g - slots[0]) * s["one_minus_beta_1"]
        u = _a.maximum(s["beta_2"] * slots[1], _e.abs(g))
        w = w - (s["lr"] * m) / (s["one_minus_beta_1_power"] * (u + s["epsilon"]))
        return w, (m, u)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
