"""``keras.optimizers.Lion``: the sign of an interpolated momentum (Chen et al., 2023)."""

from ...ops import elementwise as _e
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Lion"])
class Lion(Optimizer):
    """``w -= lr * sign(b1*m + (1-b1)*g); m = b2*m + (1-b2)*g``."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("lion_multi_update",
              ("lr", "beta_1", "one_minus_beta_1", "beta_2", "one_minus_beta_2"))

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")

    def build(self, var_list):
        """One "momentum" slot per variable."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def _slot_lists(self):
        return (self._momentums,)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        beta_1, beta_2 = self._scalar(self.beta_1, s["lr"]), self._scalar(self.beta_2, s["lr"])
        s["beta_1"], s["one_minus_beta_1"] = beta_1, 1.0 - beta_1
        s["beta_2"], s["one_minus_beta_2"] = beta_2, 1.0 - beta_2
        return s

    def _update_rule(self, s, g, w, slots):
        m = slots[0]
        w = w - s["lr"] * _e.sign(m * s["beta_1"] + g * s["one_minus_beta_1"])
        return w, (m * s["beta_2"] + g * s["one_minus_beta_2"],)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
