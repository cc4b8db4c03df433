"""``keras.optimizers.Adadelta``: steps scaled by running RMS of updates over RMS of gradients."""

from ...ops import elementwise as _e
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Adadelta"])
class Adadelta(Optimizer):
    """``G = rho*G + (1-rho)*g^2; d = -sqrt(D + eps) / sqrt(G + eps) * g;
    D = rho*D + (1-rho)*d^2; w += lr * d`` (Zeiler, 2012)."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("adadelta_multi_update", ("lr", "rho", "one_minus_rho", "epsilon"))

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        """Slots "accumulated_grad" and "accumulated_delta_var" per variable."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _slot_lists(self):
        return (self._accumulated_grads, self._accumulated_delta_vars)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        lr, c = s["lr"], self._scalar
        s["rho"], s["one_minus_rho"] = c(self.rho, lr), c(1 - self.rho, lr)
        s["epsilon"] = c(self.epsilon, lr)
        return s

    def _update_rule(self, s, g, w, slots):
        eps = s["epsilon"]
        accumulated_grad = s["rho"] * slots[0] + s["one_minus_rho"] * _e.square(g)
        delta_var = -((_e.sqrt(slots[1] + eps) * g) / _e.sqrt(accumulated_grad + eps))
        accumulated_delta_var = s["rho"] * slots[1] + s["one_minus_rho"] * _e.square(delta_var)
        return w + s["lr"] * delta_var, (accumulated_grad, accumulated_delta_var)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
