"""How a train, test or predict step becomes the callable the loops call once per batch.

One step or ``steps_per_execution`` steps per call, run eagerly, or recorded as a CUDA graph
and replayed (``jit_compile``, see ``captured_step``) where the backend can record.
"""

from ... import backends
from ...ops import keras_names as ops
from .captured_step import CapturedStep
from ..tree import map_structure


class StepFunctions:
    """The ``make_*_function`` half of the Trainer (mixed into ``Trainer``)."""

    def _make_function(self, attr, step_name, force):
        if getattr(self, attr) is not None and not force:
            return getattr(self, attr)

        def one_step(data):
            return getattr(self, step_name)(data[0])

        def multi_steps(data):
            logs = None
            for single in data:
                logs = getattr(self, step_name)(single)
            return logs

        function = multi_steps if self.steps_per_execution > 1 else one_step
        if self._records_steps():
            function = CapturedStep(function, self._captured_state,
                                    explicit=getattr(self, "_jit_explicit", False),
                                    name=step_name.replace("_", " "))
        setattr(self, attr, function)
        return function

    def _records_steps(self):
        """Whether steps are recorded as CUDA graphs: jit_compile (or, before compile(), its
        "auto" default) and not run_eagerly, on a backend that can record."""
        wanted = self.jit_compile if self._jit_compile is not None else True
        return bool(wanted and not self.run_eagerly and backends.get_backend().supports_capture)

    def _captured_state(self):
        """Every variable a train or test step reads or writes: weights, optimizer, metrics."""
        seen, out = set(), []
        optimizer = list(self.optimizer.variables) if self.optimizer is not None else []
        for v in list(self.variables) + optimizer + list(self.metrics_variables):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def make_train_function(self, force=False):
        return self._make_function("train_function", "train_step", force)

    def make_test_function(self, force=False):
        return self._make_function("test_function", "test_step", force)

    def make_predict_function(self, force=False):
        if self.predict_function is not None and not force:
            return self.predict_function

        def one_step(data):
            return self.predict_step(data[0])

        def multi_steps(data):
            outputs = [self.predict_step(single) for single in data]
            if len(outputs) == 1:
                return outputs[0]
            return map_structure(lambda *parts: ops.concatenate(list(parts), axis=0), *outputs)

        function = multi_steps if self.steps_per_execution > 1 else one_step
        if self._records_steps():
            function = CapturedStep(function, lambda: list(self.variables),
                                    explicit=getattr(self, "_jit_explicit", False),
                                    name="predict step", copy_outputs=True)
        self.predict_function = function
        return self.predict_function
