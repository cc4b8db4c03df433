"""``keras.optimizers.Nadam``: Adam with Nesterov momentum (Dozat, 2015), with the momentum
schedule ``u_t = beta_1 * (1 - 0.5 * 0.96^t)``."""

from ...ops import arithmetic as _a
from ...ops import elementwise as _e
from .. import backend
from ..saving.object_registration import keras_export
from ..variables import Variable
from .base_optimizer import Optimizer


@keras_export(["keras.optimizers.Nadam"])
class Nadam(Optimizer):
    """Nesterov-accelerated Adam; keeps the running product of the momentum schedule in one
    extra scalar variable, updated once per step."""

    #: One multi-tensor kernel call per step (optim.cu / optimizer_twins.py).
    _FUSED = ("nadam_multi_update",
              ("lr", "one_minus_beta_1", "one_minus_beta_2", "u_t_1", "one_minus_u_t",
               "one_minus_u_product_t", "one_minus_u_product_t_1", "one_minus_beta_2_power",
               "epsilon"))

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
        """Slots "momentum" and "velocity" per variable, then the scalar momentum product."""
        if self.built:
            return
        dtype = var_list[0].dtype.name if var_list else backend.floatx()
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = Variable(1.0, dtype=dtype, trainable=False)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        u = self._u_product.value()
        step = _a.cast(self.iterations + 1, u.dtype)
        self._u_product.assign(u * self.beta_1 * (1.0 - 0.5 * _a.pow(self._scalar(0.96, u), step)))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def _slot_lists(self):
        return (self._momentums, self._velocities)

    def _step_scalars(self, learning_rate, variable):
        s = super()._step_scalars(learning_rate, variable)
        lr, c = s["lr"], self._scalar
        dtype = lr.dtype
        local_step = _a.cast(self.iterations + 1, dtype)
        next_step = _a.cast(self.iterations + 2, dtype)
        decay = c(0.96, lr)
        beta_1, beta_2 = c(self.beta_1, lr), c(self.beta_2, lr)
        u_t = beta_1 * (1.0 - 0.5 * _a.pow(decay, local_step))
        u_t_1 = beta_1 * (1.0 - 0.5 * _a.pow(decay, next_step))
        u_product_t = _a.cast(self._u_product.value(), dtype)
        u_product_t_1 = u_product_t * u_t_1
        s["u_t_1"], s["one_minus_u_t"] = u_t_1, 1.0 - u_t
        s["one_minus_u_product_t"], s["one_minus_u_product_t_1"] = (1 - u_product_t,
                                                                    1 - u_product_t_1)
        s["one_minus_beta_2_power"] = 1 - _a.pow(beta_2, local_step)
        s["one_minus_beta_1"], s["one_minus_beta_2"] = 1 - beta_1, 1 - beta_2
        s["epsilon"] = c(self.epsilon, lr)
        return s

    def _update_rule(self, s, g, w, slots):
        m = slots[0] + (g - slots[0]) * s["one_minus_beta_1"]
        v = slots[1] + (_e.square(g) - slots[1]) * s["one_minus_beta_2"]
        m_hat = ((s["u_t_1"] * m) / s["one_minus_u_product_t_1"]
                 + (s["one_minus_u_t"] * g) / s["one_minus_u_product_t"])
        v_hat = v / s["one_minus_beta_2_power"]
        return w - (m_hat * s["lr"]) / (_e.sqrt(v_hat) + s["epsilon"]), (m, v)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
