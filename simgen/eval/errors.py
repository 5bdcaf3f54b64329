"""The errors an evaluation reports to its user (a bad model name, a baseline of another
dataset): the CLI prints them as one line. Anything else is a bug and keeps its traceback."""


class EvalError(ValueError):
    """An evaluation that cannot run as asked."""


class BaselineError(EvalError):
    """A baseline that cannot be compared with (another dataset, an unreadable file)."""


class ModelLoadError(EvalError):
    """A model that cannot be made: an unknown name, a module that does not import, a factory
    that is not there or does not take the arguments given."""
