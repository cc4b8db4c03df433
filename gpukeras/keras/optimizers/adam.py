"""``keras.optimizers.Adam``: adaptive moment estimation (Kingma & Ba, 2014), with AMSGrad."""

from ...ops import arithmetic as _a
from ...ops import elementwise as _e
from ...ops import optim_ops as _optim_ops
from ..saving.object_registration import keras_export
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Adam"])
class Adam(Optimizer):
    """``m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
    w -= lr * sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + epsilon)`` (``v`` replaced by its
    running maximum with ``amsgrad=True``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        """Slots "momentum" and "velocity" per variable, then "velocity_hat" (AMSGrad)."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _slot_lists(self):
        if self.amsgrad:
            return (self._momentums, self._velocities, self._velocity_hats)
        return (self._momentums, self._velocities)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        lr, c = s["lr"], self._scalar
        # lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) at t = iterations + 1, in few device ops.
        s["alpha"] = _optim_ops.adam_alpha(lr, self.iterations, self.beta_1, self.beta_2)
        s["one_minus_beta_1"] = c(1 - self.beta_1, lr)
        s["one_minus_beta_2"] = c(1 - self.beta_2, lr)
        s["epsilon"] = c(self.epsilon, lr)
        return s

    def _update_rule(self, s, g, w, slots):
        m, v = slots[0], slots[1]
        m = m + (g - m) * s["one_minus_beta_1"]
        v = v + (_e.square(g) - v) * s["one_minus_beta_2"]
        if self.amsgrad:
            v_hat = _a.maximum(slots[2], v)
            w = w - (m * s["alpha"]) / (_e.sqrt(v_hat) + s["epsilon"])
            return w, (m, v, v_hat)
        return w - (m * s["alpha"]) / (_e.sqrt(v) + s["epsilon"]), (m, v)

    def _multi_tensor_update(self, grads, variables, slots, scalars):
        """One fused multi-tensor kernel call (``optim_ops.apply_adam``) for plain float
        variables when the rule is Adam's own; else the per-variable rule."""
        cls = type(self)
        if (cls._update_rule is not Adam._update_rule or cls._step_scalars is not
                Adam._step_scalars or not _optim_ops.fusable(variables, grads, slots)):
            return super()._multi_tensor_update(grads, variables, slots, scalars)
        s = scalars
        _optim_ops.apply_adam(variables, grads, slots[0], slots[1],
                              (s["alpha"], s["one_minus_beta_1"], s["one_minus_beta_2"],
                               s["epsilon"], 0.0),
                              slots[2] if self.amsgrad else None)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config
